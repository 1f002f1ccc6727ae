#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace sentinel::domain {

// Enumerations are kept as their wire strings: they are stored and served
// verbatim and validated in one place (alert_rule_validation.cpp).
//   comparison    ">", ">=", "<", "<=", "==", "!=", or null with a null
//                 threshold: the rule fires for every series its query
//                 returns (Prometheus's alerting semantics, product.md §10)
//   channel       "telegram", "webhook", "none"
//   severity      "info", "warning", "critical"
//   no_data_state "ok", "alerting", "keep_last"
//   state         "inactive", "pending", "firing", "error"   (read-only)
struct AlertRule {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::int64_t> server_id;  // null = fleet rule
  std::string metric_name;
  std::string promql;
  std::optional<double> threshold = 0;            // null with comparison: every series fires
  std::optional<std::string> comparison = ">";
  std::int64_t repeat_interval_sec = 300;
  bool is_active = true;
  std::string channel = "telegram";
  std::int64_t for_sec = 0;
  // A firing series keeps firing this long after its condition last held
  // (Prometheus's keep_firing_for).
  std::int64_t keep_firing_for_sec = 0;
  std::optional<double> recovery_threshold;
  std::string no_data_state = "ok";
  std::string severity = "warning";
  // Message templates ({{ $labels.x }}, {{ $value }}, humanize…: domain/
  // message_template.hpp), rendered per series when a notification is written.
  std::optional<std::string> summary;
  std::optional<std::string> description;
  // Extra labels every alert of the rule carries, and other annotations
  // (runbook_url…), both as in a Prometheus rule file; values are templates.
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  // The rule file group an imported rule belongs to; with `name`, what a
  // re-import matches on. Null for rules made through the API.
  std::optional<std::string> rule_group;
  std::optional<std::int64_t> eval_interval_sec;  // null = ALERT_CHECK_INTERVAL_SEC
  // Notification channels (product.md §9) by id, each existing; empty: the
  // `channel` default, else the channels that are default for the severity.
  std::vector<std::int64_t> channel_ids;
  std::optional<std::int64_t> group_wait_sec;      // null = GROUP_WAIT_SEC
  std::optional<std::int64_t> group_interval_sec;  // null = GROUP_INTERVAL_SEC
  std::string state = "inactive";
  std::optional<core::Timestamp> last_evaluated_at;
  std::optional<double> last_value;
  std::optional<std::string> last_error;
  core::Timestamp created_at{};
  core::Timestamp updated_at{};
};

struct AlertRuleCreate {
  std::string name;
  std::optional<std::int64_t> server_id;
  std::string metric_name;
  std::string promql;
  std::optional<double> threshold = 0;
  std::optional<std::string> comparison = ">";
  std::int64_t repeat_interval_sec = 300;
  bool is_active = true;
  std::string channel = "telegram";
  std::int64_t for_sec = 0;
  std::int64_t keep_firing_for_sec = 0;
  std::optional<double> recovery_threshold;
  std::string no_data_state = "ok";
  std::string severity = "warning";
  std::optional<std::string> summary;
  std::optional<std::string> description;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::optional<std::string> rule_group;
  std::optional<std::int64_t> eval_interval_sec;
  std::vector<std::int64_t> channel_ids;
  std::optional<std::int64_t> group_wait_sec;
  std::optional<std::int64_t> group_interval_sec;
};

// PATCH: outer optional = present; inner optional = JSON null.
struct AlertRulePatch {
  std::optional<std::string> name;
  std::optional<std::optional<std::int64_t>> server_id;
  std::optional<std::string> metric_name;
  std::optional<std::string> promql;
  std::optional<std::optional<double>> threshold;
  std::optional<std::optional<std::string>> comparison;
  std::optional<std::int64_t> repeat_interval_sec;
  std::optional<bool> is_active;
  std::optional<std::string> channel;
  std::optional<std::int64_t> for_sec;
  std::optional<std::int64_t> keep_firing_for_sec;
  std::optional<std::optional<double>> recovery_threshold;
  std::optional<std::string> no_data_state;
  std::optional<std::string> severity;
  std::optional<std::optional<std::string>> summary;
  std::optional<std::optional<std::string>> description;
  std::optional<std::map<std::string, std::string>> labels;
  std::optional<std::map<std::string, std::string>> annotations;
  std::optional<std::optional<std::string>> rule_group;
  std::optional<std::optional<std::int64_t>> eval_interval_sec;
  std::optional<std::vector<std::int64_t>> channel_ids;
  std::optional<std::optional<std::int64_t>> group_wait_sec;
  std::optional<std::optional<std::int64_t>> group_interval_sec;
};

struct AlertRuleFilter {
  std::optional<std::int64_t> server_id;
  std::optional<bool> is_active;
  std::int64_t skip = 0;
  std::int64_t limit = 100;
};

}  // namespace sentinel::domain
