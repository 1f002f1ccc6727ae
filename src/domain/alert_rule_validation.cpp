// Cross-field rules of a complete alert rule, and PATCH merging.
#include <string>
#include <vector>

#include "domain/json.hpp"
#include "domain/json_reader.hpp"
#include "domain/message_template.hpp"

namespace sentinel::domain {

namespace {

// Which way a firing series has to move to resolve: +1 up, -1 down, 0 when
// "resolving side" has no meaning (== and !=).
int resolving_direction(const std::string& comparison) {
  if (comparison == ">" || comparison == ">=") return -1;
  if (comparison == "<" || comparison == "<=") return 1;
  return 0;
}

}  // namespace

core::Result<void> validate_alert_rule(const AlertRule& merged) {
  std::vector<core::FieldError> errors;
  // $instance/$job are replaced with one server's labels; a fleet rule has none.
  if (!merged.server_id &&
      (merged.promql.find("$instance") != std::string::npos || merged.promql.find("$job") != std::string::npos))
    errors.push_back({{"body", "promql"},
                      detail::value_error_msg("a fleet rule (server_id null) cannot use $instance or $job"),
                      "value_error"});
  // Both or neither: without a condition the rule fires for every series.
  if (merged.threshold.has_value() != merged.comparison.has_value())
    errors.push_back({{"body", merged.threshold ? "comparison" : "threshold"},
                      detail::value_error_msg("threshold and comparison are both set, or both null (the rule then "
                                              "fires for every series its query returns)"),
                      "value_error"});
  if (merged.recovery_threshold && !merged.comparison)
    errors.push_back({{"body", "recovery_threshold"},
                      detail::value_error_msg("recovery_threshold needs a threshold and a comparison: a rule without "
                                              "them fires for every series and resolves when the series is gone"),
                      "value_error"});
  if (merged.recovery_threshold && merged.keep_firing_for_sec > 0)
    errors.push_back({{"body", "keep_firing_for_sec"},
                      detail::value_error_msg("use either recovery_threshold or keep_firing_for_sec, not both"),
                      "value_error"});
  for (const char* reserved : {"severity", "alertname"})
    if (merged.labels.contains(reserved))
      errors.push_back({{"body", "labels", reserved},
                        detail::value_error_msg(std::string(reserved) == "severity"
                                                    ? "the severity label is the rule's `severity` field"
                                                    : "alertname is the rule's name"),
                        "value_error"});
  for (const char* own : {"summary", "description"})
    if (merged.annotations.contains(own))
      errors.push_back({{"body", "annotations", own},
                        detail::value_error_msg(std::string("the ") + own + " annotation is the rule's `" + own +
                                                "` field"),
                        "value_error"});
  // Templates are checked when saved, so rendering them never fails on syntax.
  auto check_template = [&](std::vector<std::string> loc, const std::string& text) {
    if (auto t = MessageTemplate::parse(text); !t)
      errors.push_back({std::move(loc), detail::value_error_msg("template " + describe(t.error())), "value_error"});
  };
  if (merged.summary) check_template({"body", "summary"}, *merged.summary);
  if (merged.description) check_template({"body", "description"}, *merged.description);
  for (const auto& [name, text] : merged.labels) check_template({"body", "labels", name}, text);
  for (const auto& [name, text] : merged.annotations) check_template({"body", "annotations", name}, text);
  if (merged.recovery_threshold && merged.comparison && merged.threshold) {
    const double recovery = *merged.recovery_threshold;
    const double threshold = *merged.threshold;
    const int direction = resolving_direction(*merged.comparison);
    const std::string comparison = "'" + *merged.comparison + "'";
    if (direction == 0)
      errors.push_back({{"body", "recovery_threshold"},
                        detail::value_error_msg("recovery_threshold cannot be used with comparison " + comparison),
                        "value_error"});
    else if (direction < 0 && recovery > threshold)
      errors.push_back({{"body", "recovery_threshold"},
                        detail::value_error_msg("recovery_threshold must be less than or equal to threshold "
                                                "for comparison " +
                                                comparison),
                        "value_error"});
    else if (direction > 0 && recovery < threshold)
      errors.push_back({{"body", "recovery_threshold"},
                        detail::value_error_msg("recovery_threshold must be greater than or equal to threshold "
                                                "for comparison " +
                                                comparison),
                        "value_error"});
  }
  if (errors.empty()) return {};
  return core::fail(core::Error::invalid(std::move(errors)));
}

AlertRule make_rule(const AlertRuleCreate& in) {
  AlertRule r;
  r.name = in.name;
  r.server_id = in.server_id;
  r.metric_name = in.metric_name;
  r.promql = in.promql;
  r.threshold = in.threshold;
  r.comparison = in.comparison;
  r.repeat_interval_sec = in.repeat_interval_sec;
  r.is_active = in.is_active;
  r.channel = in.channel;
  r.for_sec = in.for_sec;
  r.keep_firing_for_sec = in.keep_firing_for_sec;
  r.recovery_threshold = in.recovery_threshold;
  r.no_data_state = in.no_data_state;
  r.severity = in.severity;
  r.summary = in.summary;
  r.description = in.description;
  r.labels = in.labels;
  r.annotations = in.annotations;
  r.rule_group = in.rule_group;
  r.eval_interval_sec = in.eval_interval_sec;
  r.channel_ids = in.channel_ids;
  r.group_wait_sec = in.group_wait_sec;
  r.group_interval_sec = in.group_interval_sec;
  return r;
}

AlertRule apply_patch(AlertRule rule, const AlertRulePatch& patch) {
  if (patch.name) rule.name = *patch.name;
  if (patch.server_id) rule.server_id = *patch.server_id;
  if (patch.metric_name) rule.metric_name = *patch.metric_name;
  if (patch.promql) rule.promql = *patch.promql;
  if (patch.threshold) rule.threshold = *patch.threshold;
  if (patch.comparison) rule.comparison = *patch.comparison;
  // One of the pair changed alone: the other follows when that is the only
  // sensible reading (a threshold for a rule without one compares with ">";
  // a null threshold or comparison makes an every-series rule).
  if (patch.threshold && !patch.comparison) {
    if (*patch.threshold && !rule.comparison) rule.comparison = ">";
    if (!*patch.threshold) rule.comparison.reset();
  }
  if (patch.comparison && !patch.threshold && !*patch.comparison) rule.threshold.reset();
  if (patch.repeat_interval_sec) rule.repeat_interval_sec = *patch.repeat_interval_sec;
  if (patch.is_active) rule.is_active = *patch.is_active;
  if (patch.channel) rule.channel = *patch.channel;
  if (patch.for_sec) rule.for_sec = *patch.for_sec;
  if (patch.keep_firing_for_sec) rule.keep_firing_for_sec = *patch.keep_firing_for_sec;
  if (patch.recovery_threshold) rule.recovery_threshold = *patch.recovery_threshold;
  if (patch.no_data_state) rule.no_data_state = *patch.no_data_state;
  if (patch.severity) rule.severity = *patch.severity;
  if (patch.summary) rule.summary = *patch.summary;
  if (patch.description) rule.description = *patch.description;
  if (patch.labels) rule.labels = *patch.labels;
  if (patch.annotations) rule.annotations = *patch.annotations;
  if (patch.rule_group) rule.rule_group = *patch.rule_group;
  if (patch.eval_interval_sec) rule.eval_interval_sec = *patch.eval_interval_sec;
  if (patch.channel_ids) rule.channel_ids = *patch.channel_ids;
  if (patch.group_wait_sec) rule.group_wait_sec = *patch.group_wait_sec;
  if (patch.group_interval_sec) rule.group_interval_sec = *patch.group_interval_sec;
  return rule;
}

}  // namespace sentinel::domain
