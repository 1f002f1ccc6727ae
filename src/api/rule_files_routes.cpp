// /api/v1/alerts/rules/import and /export: Prometheus rule files in and out
// (product.md §10; the work is in alerting/rule_file_importer and
// prometheus/rule_file_export).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <map>

#include "alerting/rule_file_importer.hpp"
#include "api/handlers.hpp"
#include "api/request_parsing.hpp"
#include "core/blocking.hpp"
#include "domain/json.hpp"
#include "http/message.hpp"
#include "http/responses.hpp"
#include "prometheus/rule_file_export.hpp"
#include "prometheus/rule_query.hpp"
#include "storage/alert_rule_repository.hpp"
#include "storage/server_repository.hpp"

namespace sentinel::api::rule_files {

namespace asio = boost::asio;

namespace {

// A rule file is YAML; curl's default (form-urlencoded) is refused with
// the header to send, rather than imported as whatever it decoded to.
core::Result<void> yaml_content_type(const Request& req) {
  std::string media(req.header("Content-Type").value_or(""));
  if (auto semi = media.find(';'); semi != std::string::npos) media.resize(semi);
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (const char* ok : {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain",
                         "application/octet-stream"})
    if (http::iequals(media, ok)) return {};
  return core::fail(core::Error{core::ErrorKind::unsupported_media_type,
                                "Unsupported media type: send the rule file as YAML (Content-Type: application/yaml)",
                                {},
                                0});
}

boost::json::value entry_json(const alerting::RuleImportEntry& e) {
  boost::json::object o{{"group", e.group}, {"name", e.name}, {"line", e.line}, {"action", e.action}};
  o["rule_id"] = e.rule_id ? boost::json::value(*e.rule_id) : nullptr;
  o["reason"] = e.reason.empty() ? boost::json::value(nullptr) : boost::json::value(e.reason);
  o["notes"] = boost::json::array(e.notes.begin(), e.notes.end());
  if (e.rule) {
    o["promql"] = e.rule->promql;
    o["comparison"] = e.rule->comparison ? boost::json::value(*e.rule->comparison) : nullptr;
    o["threshold"] = e.rule->threshold ? boost::json::value(*e.rule->threshold) : nullptr;
  }
  return o;
}

boost::json::object report_json(const alerting::RuleImportReport& r) {
  boost::json::array rules;
  for (const auto& e : r.rules) rules.push_back(entry_json(e));
  boost::json::object counts;
  for (const char* action : {"created", "updated", "unchanged", "skipped", "failed"})
    counts[action] = r.count(action);
  return {{"dry_run", r.dry_run}, {"partial", r.partial}, {"written", r.written}, {"counts", std::move(counts)},
          {"rules", std::move(rules)}};
}

}  // namespace

// POST /alerts/rules/import?dry_run=&partial=: 200 with the report, or 422
// with every failed rule in `detail` and the report (nothing written).
asio::awaitable<Response> import_rules(Services& s, Request& req) {
  struct Checked {
    alerting::RuleImportOptions options;
    domain::AuditActor actor;
  };
  auto load = [&req](const Caller& caller) -> core::Result<Checked> {
    if (auto ok = yaml_content_type(req); !ok) return core::fail(ok.error());
    auto dry_run = query_bool(req, "dry_run");
    auto partial = query_bool(req, "partial");
    std::vector<core::FieldError> errors;
    if (!dry_run) collect(errors, dry_run.error());
    if (!partial) collect(errors, partial.error());
    if (!errors.empty()) return core::fail(core::Error::invalid(std::move(errors)));
    return Checked{{dry_run->value_or(false), partial->value_or(false)}, caller.actor()};
  };
  auto then = [&s, &req](Checked c) -> asio::awaitable<Response> {
    auto report = co_await alerting::import_rule_file(s.prometheus, s.blocking, s.rules, std::move(req.body),
                                                      c.options, std::move(c.actor));
    if (!report) co_return http::error_response(report.error());
    auto body = report_json(*report);
    if (report->count("failed") > 0 && !c.options.partial) {
      boost::json::array detail;
      for (const auto& f : alerting::failed_rules_detail(*report)) {
        // Positions in lists are numbers, as pydantic writes them: ["body", "groups", 0, "rules", 3, "for"].
        boost::json::array loc;
        for (std::size_t i = 0; i < f.loc.size(); ++i) {
          const bool index = i > 0 && (f.loc[i - 1] == "groups" || f.loc[i - 1] == "rules") && !f.loc[i].empty() &&
                             f.loc[i].find_first_not_of("0123456789") == std::string::npos;
          if (index)
            loc.push_back(std::stoll(f.loc[i]));
          else
            loc.push_back(boost::json::value(f.loc[i]));
        }
        detail.push_back(boost::json::object{{"loc", std::move(loc)}, {"msg", f.msg}, {"type", f.type}});
      }
      co_return http::json_response(422, boost::json::object{{"detail", std::move(detail)}, {"report", body}});
    }
    co_return http::json_response(200, body);
  };
  co_return co_await authenticated_then<Checked>(s, req, std::move(load), std::move(then));
}

// GET /alerts/rules/export: every rule as a Prometheus rule file. A server
// rule's $instance/$job are replaced by its server's values, as the engine
// sends them; a rule whose server is gone is left out with a comment.
Response export_rules(Services& s, const Request&) {
  std::vector<domain::AlertRule> all;
  for (std::int64_t skip = 0;; skip += 1000) {
    auto page = s.rules.list({std::nullopt, std::nullopt, skip, 1000});
    all.insert(all.end(), page.begin(), page.end());
    if (page.size() < 1000) break;
  }
  std::map<std::int64_t, domain::Server> servers;
  for (std::int64_t skip = 0;; skip += 1000) {
    auto page = s.servers.list({std::nullopt, skip, 1000});
    for (auto& server : page) servers.emplace(server.id, std::move(server));
    if (page.size() < 1000) break;
  }
  auto query_of = [&servers](const domain::AlertRule& rule) -> std::optional<std::string> {
    std::optional<domain::Server> server;
    if (rule.server_id) {
      auto it = servers.find(*rule.server_id);
      if (it == servers.end()) return std::nullopt;
      server = it->second;
    }
    auto query = prometheus::render_rule_query(rule, server);
    if (!query) return std::nullopt;
    return std::move(*query);
  };
  Response res;
  res.status = 200;
  res.content_type = "application/yaml; charset=utf-8";
  res.set_header("Content-Disposition", "inline; filename=\"sentinel-rules.yml\"");
  res.body = prometheus::export_rule_file(all, query_of);
  return res;
}

}  // namespace sentinel::api::rule_files
