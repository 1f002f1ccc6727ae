#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "domain/json.hpp"
#include "domain_test_support.hpp"

namespace sentinel::domain {
namespace {

using test::body;
using test::errors_of;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

AlertRule rule(std::string comparison, double threshold, std::optional<double> recovery) {
  AlertRule r;
  r.name = "r";
  r.server_id = 1;
  r.metric_name = "m";
  r.promql = "up";
  r.comparison = std::move(comparison);
  r.threshold = threshold;
  r.recovery_threshold = recovery;
  return r;
}

TEST(ValidateAlertRule, AcceptsARuleWithoutRecoveryThreshold) {
  for (const auto* c : {">", ">=", "<", "<=", "==", "!="})
    EXPECT_TRUE(validate_alert_rule(rule(c, 90, std::nullopt))) << c;
}

TEST(ValidateAlertRule, AboveRulesResolveBelowTheThreshold) {
  for (const auto* c : {">", ">="}) {
    SCOPED_TRACE(c);
    EXPECT_TRUE(validate_alert_rule(rule(c, 90, 80)));
    EXPECT_TRUE(validate_alert_rule(rule(c, 90, 90)));
    EXPECT_THAT(errors_of(validate_alert_rule(rule(c, 90, 95))),
                ElementsAre("body.recovery_threshold|value_error|Value error, recovery_threshold must be less than "
                            "or equal to threshold for comparison '" +
                            std::string(c) + "'"));
  }
}

TEST(ValidateAlertRule, BelowRulesResolveAboveTheThreshold) {
  for (const auto* c : {"<", "<="}) {
    SCOPED_TRACE(c);
    EXPECT_TRUE(validate_alert_rule(rule(c, 10, 20)));
    EXPECT_TRUE(validate_alert_rule(rule(c, 10, 10)));
    EXPECT_THAT(errors_of(validate_alert_rule(rule(c, 10, 5))),
                ElementsAre("body.recovery_threshold|value_error|Value error, recovery_threshold must be greater "
                            "than or equal to threshold for comparison '" +
                            std::string(c) + "'"));
  }
}

TEST(ValidateAlertRule, EqualityRulesHaveNoResolvingSide) {
  for (const auto* c : {"==", "!="}) {
    SCOPED_TRACE(c);
    EXPECT_THAT(errors_of(validate_alert_rule(rule(c, 1, 1))),
                ElementsAre("body.recovery_threshold|value_error|Value error, recovery_threshold cannot be used "
                            "with comparison '" +
                            std::string(c) + "'"));
  }
}

TEST(ValidateAlertRule, FleetRulesCannotUseServerPlaceholders) {
  auto r = rule(">", 90, std::nullopt);
  r.server_id = std::nullopt;
  r.promql = "100 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m])) * 100";
  EXPECT_TRUE(validate_alert_rule(r));
  for (const auto* q : {"up{instance=\"$instance\"}", "up{job=\"$job\"}"}) {
    SCOPED_TRACE(q);
    r.promql = q;
    EXPECT_THAT(errors_of(validate_alert_rule(r)),
                ElementsAre("body.promql|value_error|Value error, a fleet rule (server_id null) cannot use $instance "
                            "or $job"));
  }
  r.server_id = 4;  // bound to a server, the placeholders have values
  EXPECT_TRUE(validate_alert_rule(r));
}

TEST(ValidateAlertRule, ReportsBothErrorsInFieldOrder) {
  auto r = rule(">", 90, 99);
  r.server_id = std::nullopt;
  r.promql = "up{job=\"$job\"}";
  const auto errors = errors_of(validate_alert_rule(r));
  ASSERT_EQ(errors.size(), 2U);
  EXPECT_THAT(errors[0], ::testing::StartsWith("body.promql|value_error|"));
  EXPECT_THAT(errors[1], ::testing::StartsWith("body.recovery_threshold|value_error|"));
}

TEST(ApplyPatch, ChangesOnlyThePresentFields) {
  auto current = rule(">", 90, 80);
  current.id = 7;
  current.description = "keep me";
  current.eval_interval_sec = 30;
  current.state = "firing";
  current.created_at = core::from_unix(100);
  AlertRulePatch p;
  p.threshold = 95;
  p.severity = "critical";
  const auto merged = apply_patch(current, p);
  EXPECT_EQ(merged.threshold, 95);
  EXPECT_EQ(merged.severity, "critical");
  EXPECT_EQ(merged.id, 7);
  EXPECT_EQ(merged.name, "r");
  EXPECT_EQ(merged.server_id, 1);
  EXPECT_EQ(merged.recovery_threshold, 80);
  EXPECT_EQ(merged.description, "keep me");
  EXPECT_EQ(merged.eval_interval_sec, 30);
  EXPECT_EQ(merged.state, "firing");
  EXPECT_EQ(merged.created_at, core::from_unix(100));
}

TEST(ApplyPatch, SetsEveryField) {
  auto p = parse_alert_rule_patch(body(R"({"name": "n", "server_id": 3, "metric_name": "mm", "promql": "q",
      "threshold": 1.5, "comparison": "<", "repeat_interval_sec": 0, "is_active": false, "channel": "webhook",
      "for_sec": 9, "recovery_threshold": 2, "no_data_state": "alerting", "severity": "info", "description": "d",
      "eval_interval_sec": 10})"));
  ASSERT_TRUE(p.has_value());
  const auto m = apply_patch(AlertRule{}, *p);
  EXPECT_EQ(m.name, "n");
  EXPECT_EQ(m.server_id, 3);
  EXPECT_EQ(m.metric_name, "mm");
  EXPECT_EQ(m.promql, "q");
  EXPECT_EQ(m.threshold, 1.5);
  EXPECT_EQ(m.comparison, "<");
  EXPECT_EQ(m.repeat_interval_sec, 0);
  EXPECT_FALSE(m.is_active);
  EXPECT_EQ(m.channel, "webhook");
  EXPECT_EQ(m.for_sec, 9);
  EXPECT_EQ(m.recovery_threshold, 2.0);
  EXPECT_EQ(m.no_data_state, "alerting");
  EXPECT_EQ(m.severity, "info");
  EXPECT_EQ(m.description, "d");
  EXPECT_EQ(m.eval_interval_sec, 10);
}

TEST(ApplyPatch, NullClearsNullableFields) {
  auto current = rule(">", 90, 80);
  current.description = "x";
  current.eval_interval_sec = 30;
  auto p = parse_alert_rule_patch(
      body(R"({"server_id": null, "recovery_threshold": null, "description": null, "eval_interval_sec": null})"));
  ASSERT_TRUE(p.has_value());
  const auto merged = apply_patch(current, *p);
  EXPECT_FALSE(merged.server_id);
  EXPECT_FALSE(merged.recovery_threshold);
  EXPECT_FALSE(merged.description);
  EXPECT_FALSE(merged.eval_interval_sec);
}

// A PATCH is checked against the merged rule: changing only the comparison
// can invalidate the stored recovery_threshold, and making a rule a fleet
// rule can invalidate its stored query.
TEST(ApplyPatch, MergedRuleIsWhatGetsValidated) {
  auto current = rule(">", 90, 80);
  current.promql = "node_load1{instance=\"$instance\"}";
  auto p = parse_alert_rule_patch(body(R"({"comparison": "<", "server_id": null})"));
  ASSERT_TRUE(p.has_value());
  const auto errors = errors_of(validate_alert_rule(apply_patch(current, *p)));
  ASSERT_EQ(errors.size(), 2U);
  EXPECT_THAT(errors[0], ::testing::StartsWith("body.promql|"));
  EXPECT_THAT(errors[1], ::testing::StartsWith("body.recovery_threshold|"));

  p = parse_alert_rule_patch(body(R"({"comparison": "<", "recovery_threshold": 95})"));
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(validate_alert_rule(apply_patch(current, *p)));
}

// product.md §10: an every-series rule has neither threshold nor comparison,
// and hysteresis has nothing to apply to.
TEST(ValidateAlertRule, ThresholdAndComparisonGoTogether) {
  auto r = rule(">", 90, std::nullopt);
  r.comparison.reset();
  EXPECT_THAT(errors_of(validate_alert_rule(r)), ElementsAre(::testing::StartsWith("body.comparison|value_error|")));
  r.threshold.reset();
  EXPECT_TRUE(validate_alert_rule(r));
  r.recovery_threshold = 5;
  EXPECT_THAT(errors_of(validate_alert_rule(r)),
              ElementsAre(::testing::StartsWith("body.recovery_threshold|value_error|")));
}

TEST(ValidateAlertRule, TemplatesAreCheckedWhereTheyAre) {
  auto r = rule(">", 90, std::nullopt);
  r.summary = "{{ $labels.instance }} at {{ $value | humanize }}";
  r.description = "{{ humanise $value }}";
  r.annotations["runbook_url"] = "https://wiki/{{ $labels.job";
  r.labels["team"] = "{{ if }}";
  const auto errors = errors_of(validate_alert_rule(r));
  ASSERT_EQ(errors.size(), 3U);
  EXPECT_THAT(errors[0], ::testing::StartsWith("body.description|value_error|Value error, template line 1"));
  EXPECT_THAT(errors[0], ::testing::HasSubstr("humanise"));
  EXPECT_THAT(errors[1], ::testing::StartsWith("body.labels.team|value_error|"));
  EXPECT_THAT(errors[2], ::testing::StartsWith("body.annotations.runbook_url|value_error|"));
}

TEST(ValidateAlertRule, ReservedLabelsAndAnnotations) {
  auto r = rule(">", 90, std::nullopt);
  r.labels["severity"] = "page";
  r.labels["alertname"] = "x";
  r.annotations["summary"] = "s";
  const auto errors = errors_of(validate_alert_rule(r));
  ASSERT_EQ(errors.size(), 3U);
  EXPECT_THAT(errors[0], ::testing::StartsWith("body.labels.severity|"));
  EXPECT_THAT(errors[1], ::testing::StartsWith("body.labels.alertname|"));
  EXPECT_THAT(errors[2], ::testing::StartsWith("body.annotations.summary|"));
}

TEST(ApplyPatch, ThresholdAndComparisonFollowEachOther) {
  auto current = rule(">", 90, std::nullopt);
  auto p = parse_alert_rule_patch(body(R"({"threshold": null})"));
  ASSERT_TRUE(p.has_value());
  auto merged = apply_patch(current, *p);
  EXPECT_FALSE(merged.threshold);
  EXPECT_FALSE(merged.comparison);
  EXPECT_TRUE(validate_alert_rule(merged));
  p = parse_alert_rule_patch(body(R"({"threshold": 5})"));
  ASSERT_TRUE(p.has_value());
  merged = apply_patch(merged, *p);
  EXPECT_EQ(merged.comparison, ">");
  EXPECT_EQ(merged.threshold, 5.0);
}

}  // namespace
}  // namespace sentinel::domain
