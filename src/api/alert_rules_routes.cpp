// /api/v1/alerts/rules: PromQL alert rules. Creating or changing a rule's
// query sends it (rendered for its server) to Prometheus: a query
// Prometheus rejects is a 422 carrying its message; when Prometheus cannot
// answer, the rule is saved and the response says it was not validated.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "api/authenticated.hpp"
#include "api/request_parsing.hpp"
#include "api/handlers.hpp"
#include "api/services.hpp"
#include "domain/json.hpp"
#include "http/router.hpp"
#include "prometheus/errors.hpp"
#include "prometheus/rule_query.hpp"
#include "storage/alert_rule_repository.hpp"
#include "storage/channel_repository.hpp"
#include "storage/server_repository.hpp"

namespace sentinel::api {

namespace rules {

namespace asio = boost::asio;
using http::Request;
using http::Response;

Response rule_response(int status, const core::Result<domain::AlertRule>& r) {
  return http::respond(r,
                       [status](const domain::AlertRule& v) { return http::json_response(status, domain::to_json(v)); });
}

// A rule may only point at a server that exists: 422 on body.server_id.
// Returns the server (for $instance/$job), or nullopt for a fleet rule.
core::Result<std::optional<domain::Server>> rule_server(Services& s, const std::optional<std::int64_t>& server_id) {
  if (!server_id) return std::optional<domain::Server>{};
  auto server = s.servers.get(*server_id);
  if (!server) {
    if (server.error().kind == core::ErrorKind::not_found)
      return core::fail(core::Error::invalid_field({"body", "server_id"}, "Server not found", "value_error"));
    return core::fail(server.error());
  }
  return std::optional<domain::Server>{std::move(*server)};
}

// Every channel a rule names must exist: 422 on body.channel_ids. Checked
// again, with the channels locked, in the transaction that stores the rule.
core::Result<void> rule_channels(Services& s, const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return {};
  auto missing = s.channels.missing(ids);
  if (missing.empty()) return {};
  return core::fail(domain::unknown_channels_error(missing));
}

Response list_rules(Services& s, const Request& req) {
  auto page = paging(req);
  auto server_id = query_int(req, "server_id");
  auto is_active = query_bool(req, "is_active");
  std::vector<core::FieldError> errors;
  if (!page) collect(errors, page.error());
  if (!server_id) collect(errors, server_id.error());
  if (!is_active) collect(errors, is_active.error());
  if (!errors.empty()) return http::error_response(core::Error::invalid(std::move(errors)));
  boost::json::array out;
  for (const auto& rule : s.rules.list({*server_id, *is_active, page->skip, page->limit}))
    out.push_back(domain::to_json(rule));
  return http::json_response(200, out);
}

// A checked new rule and the query to check with Prometheus before storing it.
struct Prepared {
  domain::AlertRuleCreate create;
  std::optional<std::string> query;
  domain::AuditActor actor;
};

// Sends the query to Prometheus, then stores the rule on the blocking pool.
// When Prometheus could not check it, the stored rule is returned with
// "warnings" and a Warning header (as the Kubernetes API does).
template <class Store>
asio::awaitable<Response> check_then_store(Services& s, std::optional<std::string> query, int status, Store store) {
  std::string warning;
  if (query) {
    auto check = co_await prometheus::check_rule_query(s.prometheus, std::move(*query));
    if (check.rejected) co_return http::error_response(*check.rejected);
    if (!check.validated) warning = check.not_validated_reason;
  }
  auto job = [&store] { return store(); };
  core::Result<domain::AlertRule> stored = co_await s.blocking.run(std::move(job));
  if (!stored) co_return http::error_response(stored.error());
  auto body = domain::to_json(*stored);
  if (!warning.empty()) body.as_object()["warnings"] = boost::json::array{boost::json::value(warning)};
  auto response = http::json_response(status, body);
  if (!warning.empty()) {
    // A quoted-string (RFC 9110): quotes and backslashes escaped, and no
    // control characters: the reason can quote a datasource's error page,
    // whose CR/LF would otherwise end the header and inject others.
    std::string quoted;
    for (char c : warning) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += (u < 0x20 || u == 0x7F) ? ' ' : c;
    }
    response.set_header("Warning", "299 - \"" + quoted + "\"");
  }
  co_return response;
}

asio::awaitable<Response> create_rule(Services& s, Request& req) {
  auto load = [&s, &req](const Caller& caller) -> core::Result<Prepared> {
    auto body = json_body(req);
    if (!body) return core::fail(body.error());
    auto input = domain::parse_alert_rule_create(*body);
    if (!input) return core::fail(input.error());
    const auto candidate = domain::make_rule(*input);
    if (auto ok = domain::validate_alert_rule(candidate); !ok) return core::fail(ok.error());
    auto server = rule_server(s, input->server_id);
    if (!server) return core::fail(server.error());
    if (auto ok = rule_channels(s, candidate.channel_ids); !ok) return core::fail(ok.error());
    auto query = prometheus::render_rule_query(candidate, *server);
    if (!query) return core::fail(query.error());
    return Prepared{std::move(*input), std::move(*query), caller.actor()};
  };
  auto then = [&s](Prepared p) -> asio::awaitable<Response> {
    auto store = [&s, create = std::move(p.create), actor = std::move(p.actor)] { return s.rules.create(create, actor); };
    co_return co_await check_then_store(s, std::move(p.query), 201, std::move(store));
  };
  co_return co_await authenticated_then<Prepared>(s, req, std::move(load), std::move(then));
}

Response get_rule(Services& s, const Request& req) {
  auto id = path_id(req, "rule_id");
  if (!id) return http::error_response(id.error());
  return rule_response(200, s.rules.get(*id));
}

asio::awaitable<Response> update_rule(Services& s, Request& req) {
  struct Checked {
    std::int64_t id = 0;
    domain::AlertRulePatch patch;
    std::optional<std::string> query;
    domain::AuditActor actor;
  };
  auto load = [&s, &req](const Caller& caller) -> core::Result<Checked> {
    auto id = path_id(req, "rule_id");
    if (!id) return core::fail(id.error());
    auto body = json_body(req);
    if (!body) return core::fail(body.error());
    auto patch = domain::parse_alert_rule_patch(*body);
    if (!patch) return core::fail(patch.error());
    auto current = s.rules.get(*id);
    if (!current) return core::fail(current.error());
    const auto merged = domain::apply_patch(*current, *patch);
    if (auto ok = domain::validate_alert_rule(merged); !ok) return core::fail(ok.error());
    auto server = rule_server(s, merged.server_id);
    if (!server) return core::fail(server.error());
    if (auto ok = rule_channels(s, merged.channel_ids); !ok) return core::fail(ok.error());
    Checked c{*id, std::move(*patch), std::nullopt, caller.actor()};
    // Only a changed query (or a rule moved to another server) is checked again.
    if (merged.promql != current->promql || merged.server_id != current->server_id) {
      auto query = prometheus::render_rule_query(merged, *server);
      if (!query) return core::fail(query.error());
      c.query = std::move(*query);
    }
    return c;
  };
  auto then = [&s](Checked c) -> asio::awaitable<Response> {
    // The patch is applied to the rule as it is NOW, not as it was before
    // the Prometheus round trip, so a concurrent PATCH of other fields is
    // not overwritten.
    auto store = [&s, id = c.id, patch = std::move(c.patch), actor = std::move(c.actor)]() -> core::Result<domain::AlertRule> {
      auto current = s.rules.get(id);
      if (!current) return core::fail(current.error());
      const auto merged = domain::apply_patch(*current, patch);
      if (auto ok = domain::validate_alert_rule(merged); !ok) return core::fail(ok.error());
      return s.rules.update(merged, actor);
    };
    co_return co_await check_then_store(s, std::move(c.query), 200, std::move(store));
  };
  co_return co_await authenticated_then<Checked>(s, req, std::move(load), std::move(then));
}

Response delete_rule(Services& s, const Request& req, const Caller& caller) {
  auto id = path_id(req, "rule_id");
  if (!id) return http::error_response(id.error());
  auto done = s.rules.remove(*id, caller.actor());
  return done ? http::no_content() : http::error_response(done.error());
}

// A rule to evaluate without recording anything (/test, /preview): its
// definition, its rendered query and, for a fleet rule, the servers its
// series are matched to by their instance label.
struct Evaluable {
  domain::AlertRule rule;
  std::string query;
  std::unordered_map<std::string, std::int64_t> servers_by_instance;
};

core::Result<Evaluable> evaluable(Services& s, domain::AlertRule rule, const std::optional<domain::Server>& server) {
  Evaluable e;
  if (!rule.server_id) {
    for (const auto& srv : s.servers.list({std::nullopt, 0, std::numeric_limits<std::int64_t>::max()}))
      e.servers_by_instance.emplace(srv.instance, srv.id);
  }
  auto query = prometheus::render_rule_query(rule, server);
  if (!query) return core::fail(query.error());
  e.rule = std::move(rule);
  e.query = std::move(*query);
  return e;
}

// Runs the query and answers every series with its labels, value and
// whether it would fire; `rule_id` is null for an unsaved rule.
asio::awaitable<Response> evaluation_answer(Services& s, const Evaluable& e, std::optional<std::int64_t> rule_id) {
  auto r = co_await prometheus::test_rule(s.prometheus, e.rule, e.query, e.servers_by_instance);
  if (!r) co_return http::error_response(prometheus::to_api_error(r.error(), {"body", "promql"}));
  boost::json::array series;
  bool any = false;
  for (const auto& t : r->series) {
    boost::json::object labels;
    for (const auto& [k, v] : t.labels) labels.emplace(k, v);
    boost::json::value value = nullptr;
    if (std::isfinite(t.value)) value = t.value;
    any = any || t.would_fire;
    series.push_back(boost::json::object{{"labels", std::move(labels)},
                                         {"value", std::move(value)},
                                         {"would_fire", t.would_fire},
                                         {"server_id", t.server_id ? boost::json::value(*t.server_id) : nullptr}});
  }
  co_return http::json_response(
      200, boost::json::object{
               {"rule_id", rule_id ? boost::json::value(*rule_id) : boost::json::value(nullptr)},
               {"query", r->query},
               {"evaluated_at", core::format_iso8601(core::from_unix(static_cast<std::int64_t>(r->evaluated_at)))},
               {"threshold", e.rule.threshold ? boost::json::value(*e.rule.threshold) : nullptr},
               {"comparison", e.rule.comparison ? boost::json::value(*e.rule.comparison) : nullptr},
               {"would_fire", any},
               {"series", std::move(series)},
           });
}

// POST /rules/{id}/test: evaluates the rule now, records nothing.
asio::awaitable<Response> test_rule(Services& s, Request& req) {
  auto load = [&s, &req](const Caller&) -> core::Result<Evaluable> {
    auto id = path_id(req, "rule_id");
    if (!id) return core::fail(id.error());
    auto rule = s.rules.get(*id);
    if (!rule) return core::fail(rule.error());
    std::optional<domain::Server> server;
    if (rule->server_id) {
      auto found = s.servers.get(*rule->server_id);
      if (!found) return core::fail(core::Error::not_found("Server of this rule not found"));
      server = std::move(*found);
    }
    return evaluable(s, std::move(*rule), server);
  };
  auto then = [&s](Evaluable e) -> asio::awaitable<Response> {
    const std::optional<std::int64_t> id = e.rule.id;
    co_return co_await evaluation_answer(s, e, id);
  };
  co_return co_await authenticated_then<Evaluable>(s, req, std::move(load), std::move(then));
}

// POST /rules/preview: an unsaved rule (a create's body, validated as a
// create is) evaluated as /test evaluates a saved one.
asio::awaitable<Response> preview_rule(Services& s, Request& req) {
  auto load = [&s, &req](const Caller&) -> core::Result<Evaluable> {
    auto body = json_body(req);
    if (!body) return core::fail(body.error());
    auto input = domain::parse_alert_rule_create(*body);
    if (!input) return core::fail(input.error());
    auto candidate = domain::make_rule(*input);
    if (auto ok = domain::validate_alert_rule(candidate); !ok) return core::fail(ok.error());
    auto server = rule_server(s, input->server_id);
    if (!server) return core::fail(server.error());
    if (auto ok = rule_channels(s, candidate.channel_ids); !ok) return core::fail(ok.error());
    return evaluable(s, std::move(candidate), *server);
  };
  auto then = [&s](Evaluable e) -> asio::awaitable<Response> {
    const std::optional<std::int64_t> unsaved;
    co_return co_await evaluation_answer(s, e, unsaved);
  };
  co_return co_await authenticated_then<Evaluable>(s, req, std::move(load), std::move(then));
}

}  // namespace rules

}  // namespace sentinel::api
