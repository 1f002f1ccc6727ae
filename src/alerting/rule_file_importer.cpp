#include "alerting/rule_file_importer.hpp"

// g++ 12 false positive on Asio's coroutine frames (see rule_evaluator.cpp).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <boost/json/object.hpp>

#include <algorithm>
#include <utility>

#include "core/blocking.hpp"
#include "domain/json.hpp"
#include "prometheus/rule_file_import.hpp"
#include "prometheus/rule_query.hpp"
#include "storage/alert_rule_repository.hpp"

namespace sentinel::alerting {

namespace asio = boost::asio;

namespace {

// The fields a rule file defines. Everything else of a stored rule (its
// channels, repeat interval, no-data state, hysteresis, whether it is
// paused) is Sentinel's own and survives a re-import.
domain::AlertRule merge_from_file(const domain::AlertRule& stored, const domain::AlertRule& file) {
  domain::AlertRule r = stored;
  r.name = file.name;
  r.rule_group = file.rule_group;
  r.metric_name = file.metric_name;
  r.promql = file.promql;
  r.threshold = file.threshold;
  r.comparison = file.comparison;
  r.for_sec = file.for_sec;
  r.keep_firing_for_sec = file.keep_firing_for_sec;
  r.severity = file.severity;
  r.summary = file.summary;
  r.description = file.description;
  r.labels = file.labels;
  r.annotations = file.annotations;
  r.eval_interval_sec = file.eval_interval_sec;
  // Hysteresis only means something against the same kind of condition.
  if (!r.comparison || r.comparison != stored.comparison) r.recovery_threshold.reset();
  if (r.keep_firing_for_sec > 0) r.recovery_threshold.reset();
  return r;
}

// Same definition: the user-editable fields agree (the engine's own fields
// and timestamps do not count).
bool same_definition(const domain::AlertRule& a, const domain::AlertRule& b) {
  auto editable = [](const domain::AlertRule& r) {
    auto o = domain::to_json(r).as_object();
    for (const char* k : {"id", "state", "last_evaluated_at", "last_value", "last_error", "created_at", "updated_at"})
      o.erase(k);
    return o;
  };
  return editable(a) == editable(b);
}

std::string where(const prometheus::MappedRule& m) {
  return m.position.line > 0 ? " (line " + std::to_string(m.position.line) + ")" : std::string();
}

RuleImportEntry entry_of(const prometheus::MappedRule& m) {
  RuleImportEntry e;
  e.group = m.group;
  e.name = m.name;
  e.line = m.position.line;
  e.notes = m.notes;
  switch (m.outcome) {
    case prometheus::RuleOutcome::mapped: break;
    case prometheus::RuleOutcome::skipped:
      e.action = "skipped";
      e.reason = m.reason;
      break;
    case prometheus::RuleOutcome::failed:
      e.action = "failed";
      e.reason = m.reason;
      e.loc = m.failed_fields;
      break;
  }
  if (e.loc.empty())
    e.loc = {"groups", std::to_string(m.group_index), "rules", std::to_string(m.rule_index)};
  return e;
}

// A failed rule's report says why; the mapping's notes ("fires for every
// series…") would describe a rule that is not imported.
void fail(RuleImportEntry& e, std::string reason, std::vector<std::string> field = {}) {
  e.action = "failed";
  e.reason = std::move(reason);
  e.notes.clear();
  for (auto& f : field) e.loc.push_back(std::move(f));
}

std::string_view action_of(storage::ImportAction a) {
  switch (a) {
    case storage::ImportAction::created: return "created";
    case storage::ImportAction::updated: return "updated";
    case storage::ImportAction::unchanged: return "unchanged";
  }
  return "unchanged";
}

core::Error file_error(const std::vector<prometheus::FileError>& errors) {
  std::vector<core::FieldError> fields;
  for (const auto& e : errors) {
    std::vector<std::string> loc{"body"};
    loc.insert(loc.end(), e.loc.begin(), e.loc.end());
    std::string msg = e.message;
    if (e.position.line > 0 && !msg.starts_with("line "))
      msg = "line " + std::to_string(e.position.line) + ", column " + std::to_string(e.position.column) + ": " + msg;
    fields.push_back({std::move(loc), std::move(msg), "rule_file"});
  }
  return core::Error::invalid(std::move(fields));
}

}  // namespace

std::size_t RuleImportReport::count(std::string_view action) const {
  return static_cast<std::size_t>(
      std::count_if(rules.begin(), rules.end(), [&](const RuleImportEntry& e) { return e.action == action; }));
}

std::vector<core::FieldError> failed_rules_detail(const RuleImportReport& report) {
  std::vector<core::FieldError> out;
  for (const auto& e : report.rules) {
    if (e.action != "failed") continue;
    std::vector<std::string> loc{"body"};
    loc.insert(loc.end(), e.loc.begin(), e.loc.end());
    std::string msg = "group \"" + e.group + "\", rule \"" + e.name + "\"";
    if (e.line > 0) msg += " (line " + std::to_string(e.line) + ")";
    out.push_back({std::move(loc), msg + ": " + e.reason, "rule_file"});
  }
  return out;
}

asio::awaitable<core::Result<RuleImportReport>> import_rule_file(prometheus::Client& prometheus,
                                                                core::BlockingPool& blocking,
                                                                storage::AlertRuleRepository& rules, std::string yaml,
                                                                RuleImportOptions options, domain::AuditActor actor) {
  auto parsed = prometheus::parse_rule_file(yaml);
  if (!parsed) co_return core::fail(file_error(parsed.error()));

  RuleImportReport report;
  report.dry_run = options.dry_run;
  report.partial = options.partial;
  std::vector<domain::AlertRuleCreate> creates;
  std::vector<std::size_t> entry_of_create;  // creates[i] reports into report.rules[entry_of_create[i]]
  for (const auto& m : *parsed) {
    RuleImportEntry e = entry_of(m);
    if (m.outcome == prometheus::RuleOutcome::mapped && m.rule) {
      const domain::AlertRule candidate = domain::make_rule(*m.rule);
      if (auto ok = domain::validate_alert_rule(candidate); !ok) {
        const auto& first = ok.error().fields.front();
        std::vector<std::string> field(first.loc.begin() + (first.loc.empty() ? 0 : 1), first.loc.end());
        fail(e, first.msg + where(m), std::move(field));
      } else {
        // The PromQL, as Prometheus would load the file: each query is sent
        // once; a rejected one fails its rule, an unreachable Prometheus the
        // whole import (nothing is written without validation).
        auto check = co_await prometheus::check_rule_query(prometheus, candidate.promql);
        if (check.rejected) {
          const auto& r = *check.rejected;
          // "Prometheus rejected the query: <its message>" (prometheus/errors.cpp).
          fail(e, r.fields.empty() ? r.detail : r.fields.front().msg, {"expr"});
        } else if (!check.validated && !check.parsed_but_failed) {
          co_return core::fail(core::Error{core::ErrorKind::unavailable,
                                           "Prometheus unavailable: the rules' PromQL cannot be validated, nothing "
                                           "was imported (" + check.not_validated_reason + ")",
                                           {}, 0});
        } else {
          if (check.parsed_but_failed) e.notes.push_back(check.not_validated_reason);
          entry_of_create.push_back(report.rules.size());
          creates.push_back(*m.rule);
        }
      }
    }
    report.rules.push_back(std::move(e));
  }

  const bool any_failed = report.count("failed") > 0;
  const bool write = !options.dry_run && !(any_failed && !options.partial);
  // Without `partial`, a file with failed rules still gets a dry run of the
  // others, so the report says what the import would have done.
  auto job = [&rules, &creates, write, &actor] {
    return rules.import_rules(creates, merge_from_file, same_definition, !write, actor);
  };
  auto stored = co_await blocking.run(std::move(job));
  if (!stored) co_return core::fail(stored.error());
  for (std::size_t i = 0; i < stored->size(); ++i) {
    auto& e = report.rules[entry_of_create[i]];
    auto& s = (*stored)[i];
    e.action = std::string(action_of(s.action));
    if (s.rule.id > 0) e.rule_id = s.rule.id;
    e.rule = std::move(s.rule);
  }
  report.written = write;
  co_return report;
}

}  // namespace sentinel::alerting
