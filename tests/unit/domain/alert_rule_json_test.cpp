#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "domain/json.hpp"
#include "domain_test_support.hpp"

namespace sentinel::domain {
namespace {

using test::body;
using test::errors_of;
using ::testing::ElementsAre;

constexpr std::string_view minimal_rule =
    R"json({"name": "High CPU", "metric_name": "cpu_usage_percent", "promql": "100 - avg(rate(x[5m]))", "threshold": 90})json";

// The minimal rule with one field replaced by `field_json` ("" = removed).
boost::json::value rule_with(std::string_view field, std::string_view field_json) {
  auto v = body(minimal_rule);
  auto& o = v.as_object();
  o.erase(field);
  if (!field_json.empty()) o[field] = boost::json::parse(field_json);
  return v;
}

std::vector<std::string> create_errors(std::string_view field, std::string_view field_json) {
  return errors_of(parse_alert_rule_create(rule_with(field, field_json)));
}

TEST(ParseAlertRuleCreate, MinimalBodyTakesTheDocumentedDefaults) {
  auto r = parse_alert_rule_create(body(minimal_rule));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->name, "High CPU");
  EXPECT_FALSE(r->server_id);
  EXPECT_EQ(r->metric_name, "cpu_usage_percent");
  EXPECT_EQ(r->promql, "100 - avg(rate(x[5m]))");
  EXPECT_EQ(r->threshold, 90.0);
  EXPECT_EQ(r->comparison, ">");
  EXPECT_EQ(r->repeat_interval_sec, 300);
  EXPECT_TRUE(r->is_active);
  EXPECT_EQ(r->channel, "telegram");
  EXPECT_EQ(r->for_sec, 0);
  EXPECT_FALSE(r->recovery_threshold);
  EXPECT_EQ(r->no_data_state, "ok");
  EXPECT_EQ(r->severity, "warning");
  EXPECT_FALSE(r->description);
  EXPECT_FALSE(r->eval_interval_sec);
}

TEST(ParseAlertRuleCreate, ReadsEveryField) {
  auto r = parse_alert_rule_create(body(R"({"name": "Disk", "server_id": 3, "metric_name": "disk",
      "promql": "disk{instance=\"$instance\"}", "threshold": 85.5, "comparison": ">=", "repeat_interval_sec": 0,
      "is_active": false, "channel": "webhook", "for_sec": 120, "recovery_threshold": 80, "no_data_state": "alerting",
      "severity": "critical", "description": "disk \"almost\" full", "eval_interval_sec": 30})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->server_id, 3);
  EXPECT_EQ(r->promql, "disk{instance=\"$instance\"}");
  EXPECT_EQ(r->threshold, 85.5);
  EXPECT_EQ(r->comparison, ">=");
  EXPECT_EQ(r->repeat_interval_sec, 0);
  EXPECT_FALSE(r->is_active);
  EXPECT_EQ(r->channel, "webhook");
  EXPECT_EQ(r->for_sec, 120);
  EXPECT_EQ(r->recovery_threshold, 80.0);
  EXPECT_EQ(r->no_data_state, "alerting");
  EXPECT_EQ(r->severity, "critical");
  EXPECT_EQ(r->description, "disk \"almost\" full");
  EXPECT_EQ(r->eval_interval_sec, 30);
}

TEST(ParseAlertRuleCreate, RequiredFieldsAreReportedTogetherInFieldOrder) {
  EXPECT_THAT(errors_of(parse_alert_rule_create(body("{}"))),
              ElementsAre("body.name|missing|Field required", "body.metric_name|missing|Field required",
                          "body.promql|missing|Field required"));
}

// product.md §10: without threshold and comparison the rule fires for every
// series; a threshold alone compares with ">"; a comparison needs a threshold.
TEST(ParseAlertRuleCreate, ThresholdAndComparisonAreBothSetOrBothNull) {
  const std::string base = R"({"name": "n", "metric_name": "m", "promql": "up")";
  auto none = parse_alert_rule_create(body(base + "}"));
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->threshold);
  EXPECT_FALSE(none->comparison);
  auto nulls = parse_alert_rule_create(body(base + R"(, "threshold": null, "comparison": null})"));
  ASSERT_TRUE(nulls.has_value());
  EXPECT_FALSE(nulls->threshold);
  EXPECT_FALSE(nulls->comparison);
  auto threshold_only = parse_alert_rule_create(body(base + R"(, "threshold": 5})"));
  ASSERT_TRUE(threshold_only.has_value());
  EXPECT_EQ(threshold_only->comparison, ">");
  EXPECT_THAT(errors_of(parse_alert_rule_create(body(base + R"(, "comparison": "<"})"))),
              ElementsAre("body.threshold|missing|Field required"));
}

TEST(ParseAlertRuleCreate, ThresholdIsAFiniteNumber) {
  auto r = parse_alert_rule_create(rule_with("threshold", "-3"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->threshold, -3.0);
  EXPECT_THAT(create_errors("threshold", R"("90")"),
              ElementsAre("body.threshold|float_type|Input should be a valid number"));
  EXPECT_THAT(create_errors("threshold", "true"),
              ElementsAre("body.threshold|float_type|Input should be a valid number"));
  EXPECT_THAT(create_errors("threshold", "1e400"),
              ElementsAre("body.threshold|finite_number|Input should be a finite number"));
  EXPECT_THAT(create_errors("recovery_threshold", "-1e400"),
              ElementsAre("body.recovery_threshold|finite_number|Input should be a finite number"));
}

TEST(ParseAlertRuleCreate, EnumerationsAcceptTheirValuesAndListThemOtherwise) {
  for (const auto* c : {">", ">=", "<", "<=", "==", "!="}) {
    auto r = parse_alert_rule_create(rule_with("comparison", std::string("\"") + c + "\""));
    ASSERT_TRUE(r.has_value()) << c;
    EXPECT_EQ(r->comparison, c);
  }
  for (const auto* c : {"telegram", "webhook", "none"})
    EXPECT_TRUE(parse_alert_rule_create(rule_with("channel", std::string("\"") + c + "\""))) << c;
  for (const auto* c : {"info", "warning", "critical"})
    EXPECT_TRUE(parse_alert_rule_create(rule_with("severity", std::string("\"") + c + "\""))) << c;
  for (const auto* c : {"ok", "alerting", "keep_last"})
    EXPECT_TRUE(parse_alert_rule_create(rule_with("no_data_state", std::string("\"") + c + "\""))) << c;

  EXPECT_THAT(create_errors("comparison", R"("=>")"),
              ElementsAre("body.comparison|literal_error|Input should be '>', '>=', '<', '<=', '==' or '!='"));
  EXPECT_THAT(create_errors("channel", R"("Telegram")"),
              ElementsAre("body.channel|literal_error|Input should be 'telegram', 'webhook' or 'none'"));
  EXPECT_THAT(create_errors("severity", R"("fatal")"),
              ElementsAre("body.severity|literal_error|Input should be 'info', 'warning' or 'critical'"));
  EXPECT_THAT(create_errors("no_data_state", R"("")"),
              ElementsAre("body.no_data_state|literal_error|Input should be 'ok', 'alerting' or 'keep_last'"));
  EXPECT_THAT(create_errors("comparison", "1"),
              ElementsAre("body.comparison|string_type|Input should be a valid string"));
  EXPECT_THAT(create_errors("severity", "null"),
              ElementsAre("body.severity|string_type|Input should be a valid string"));
}

TEST(ParseAlertRuleCreate, IntervalsAreIntegersWithinAYear) {
  EXPECT_THAT(create_errors("repeat_interval_sec", "-1"),
              ElementsAre("body.repeat_interval_sec|greater_than_equal|Input should be greater than or equal to 0"));
  EXPECT_THAT(create_errors("repeat_interval_sec", "31536001"),
              ElementsAre("body.repeat_interval_sec|less_than_equal|Input should be less than or equal to 31536000"));
  EXPECT_TRUE(parse_alert_rule_create(rule_with("repeat_interval_sec", "31536000")));
  EXPECT_THAT(create_errors("for_sec", "-5"),
              ElementsAre("body.for_sec|greater_than_equal|Input should be greater than or equal to 0"));
  EXPECT_THAT(create_errors("for_sec", "31536001"),
              ElementsAre("body.for_sec|less_than_equal|Input should be less than or equal to 31536000"));
  EXPECT_THAT(create_errors("for_sec", R"("60")"),
              ElementsAre("body.for_sec|int_type|Input should be a valid integer"));
  EXPECT_THAT(create_errors("for_sec", "null"), ElementsAre("body.for_sec|int_type|Input should be a valid integer"));
  EXPECT_THAT(create_errors("for_sec", "false"), ElementsAre("body.for_sec|int_type|Input should be a valid integer"));
}

TEST(ParseAlertRuleCreate, IntegersAcceptIntegralNumbersOnly) {
  auto r = parse_alert_rule_create(rule_with("for_sec", "60.0"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->for_sec, 60);
  EXPECT_THAT(create_errors("for_sec", "60.5"),
              ElementsAre("body.for_sec|int_from_float|Input should be a valid integer, got a number with a "
                          "fractional part"));
  EXPECT_THAT(create_errors("for_sec", "1e400"),
              ElementsAre("body.for_sec|finite_number|Input should be a finite number"));
}

TEST(ParseAlertRuleCreate, IntegersBeyond64BitsAreRangeErrorsNotOverflow) {
  EXPECT_THAT(create_errors("for_sec", "18446744073709551615"),
              ElementsAre("body.for_sec|less_than_equal|Input should be less than or equal to 31536000"));
  EXPECT_THAT(create_errors("for_sec", "1e30"),
              ElementsAre("body.for_sec|less_than_equal|Input should be less than or equal to 31536000"));
  EXPECT_THAT(create_errors("for_sec", "-1e30"),
              ElementsAre("body.for_sec|greater_than_equal|Input should be greater than or equal to 0"));
  // server_id has no upper bound: a huge id is not silently wrapped around.
  EXPECT_THAT(create_errors("server_id", "18446744073709551615"),
              ElementsAre("body.server_id|int_parsing_size|Input should be a valid integer, number is out of range"));
  auto r = parse_alert_rule_create(rule_with("server_id", "9223372036854775807"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->server_id, std::numeric_limits<std::int64_t>::max());
}

TEST(ParseAlertRuleCreate, EvalIntervalIsNullOrOneSecondToADay) {
  EXPECT_TRUE(parse_alert_rule_create(rule_with("eval_interval_sec", "null")));
  auto r = parse_alert_rule_create(rule_with("eval_interval_sec", "86400"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->eval_interval_sec, 86400);
  EXPECT_THAT(create_errors("eval_interval_sec", "0"),
              ElementsAre("body.eval_interval_sec|greater_than_equal|Input should be greater than or equal to 1"));
  EXPECT_THAT(create_errors("eval_interval_sec", "86401"),
              ElementsAre("body.eval_interval_sec|less_than_equal|Input should be less than or equal to 86400"));
}

TEST(ParseAlertRuleCreate, ServerIdIsNullOrPositive) {
  auto r = parse_alert_rule_create(rule_with("server_id", "null"));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->server_id);
  EXPECT_THAT(create_errors("server_id", "0"),
              ElementsAre("body.server_id|greater_than_equal|Input should be greater than or equal to 1"));
  EXPECT_THAT(create_errors("server_id", R"("1")"),
              ElementsAre("body.server_id|int_type|Input should be a valid integer"));
}

TEST(ParseAlertRuleCreate, StringFieldsAreBoundedAndNotBlank) {
  EXPECT_THAT(create_errors("name", R"("")"),
              ElementsAre("body.name|string_too_short|String should have at least 1 character"));
  EXPECT_THAT(create_errors("name", "\"" + std::string(256, 'n') + "\""),
              ElementsAre("body.name|string_too_long|String should have at most 255 characters"));
  EXPECT_THAT(create_errors("metric_name", "\"" + std::string(256, 'm') + "\""),
              ElementsAre("body.metric_name|string_too_long|String should have at most 255 characters"));
  EXPECT_THAT(create_errors("promql", R"("")"),
              ElementsAre("body.promql|string_too_short|String should have at least 1 character"));
  EXPECT_THAT(create_errors("promql", R"("  \n ")"),
              ElementsAre("body.promql|value_error|Value error, promql must not be blank"));
  EXPECT_TRUE(parse_alert_rule_create(rule_with("promql", "\"" + std::string(10000, '1') + "\"")));
  EXPECT_THAT(create_errors("promql", "\"" + std::string(10001, '1') + "\""),
              ElementsAre("body.promql|string_too_long|String should have at most 10000 characters"));
  EXPECT_THAT(create_errors("description", "\"" + std::string(4001, 'd') + "\""),
              ElementsAre("body.description|string_too_long|String should have at most 4000 characters"));
  EXPECT_TRUE(parse_alert_rule_create(rule_with("description", "null")));
}

TEST(ParseAlertRuleCreate, EveryBadFieldIsReportedTogetherInFieldOrderThenExtras) {
  EXPECT_THAT(errors_of(parse_alert_rule_create(body(R"({"treshold": 90, "severity": "bad", "for_sec": -1,
      "comparison": "~", "metric_name": "m", "promql": "up", "name": "", "eval_interval_sec": 0, "chanel": "none"})"))),
              ElementsAre("body.name|string_too_short|String should have at least 1 character",
                          "body.comparison|literal_error|Input should be '>', '>=', '<', '<=', '==' or '!='",
                          "body.for_sec|greater_than_equal|Input should be greater than or equal to 0",
                          "body.severity|literal_error|Input should be 'info', 'warning' or 'critical'",
                          "body.eval_interval_sec|greater_than_equal|Input should be greater than or equal to 1",
                          "body.treshold|extra_forbidden|Extra inputs are not permitted",
                          "body.chanel|extra_forbidden|Extra inputs are not permitted"));
}

TEST(ParseAlertRuleCreate, ReadOnlyFieldsAreIgnored) {
  auto v = body(minimal_rule);
  auto& o = v.as_object();
  o["id"] = 5;
  o["state"] = "firing";
  o["last_evaluated_at"] = "2026-01-01T00:00:00Z";
  o["last_value"] = 12.5;
  o["last_error"] = nullptr;
  o["created_at"] = "2026-01-01T00:00:00Z";
  o["updated_at"] = "2026-01-01T00:00:00Z";
  EXPECT_TRUE(parse_alert_rule_create(v).has_value());
}

TEST(ParseAlertRulePatch, EmptyBodyChangesNothing) {
  auto r = parse_alert_rule_patch(body("{}"));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->name || r->server_id || r->metric_name || r->promql || r->threshold || r->comparison ||
               r->repeat_interval_sec || r->is_active || r->channel || r->for_sec || r->recovery_threshold ||
               r->no_data_state || r->severity || r->description || r->eval_interval_sec);
}

TEST(ParseAlertRulePatch, NullClearsNullableFieldsAndAbsentKeepsThem) {
  auto r = parse_alert_rule_patch(
      body(R"({"server_id": null, "recovery_threshold": null, "description": null, "eval_interval_sec": null})"));
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->server_id.has_value());
  EXPECT_FALSE(r->server_id->has_value());
  ASSERT_TRUE(r->recovery_threshold.has_value());
  EXPECT_FALSE(r->recovery_threshold->has_value());
  ASSERT_TRUE(r->description.has_value());
  EXPECT_FALSE(r->description->has_value());
  ASSERT_TRUE(r->eval_interval_sec.has_value());
  EXPECT_FALSE(r->eval_interval_sec->has_value());

  r = parse_alert_rule_patch(body(R"({"server_id": 2, "recovery_threshold": 70, "eval_interval_sec": 15})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->server_id, std::optional<std::int64_t>(2));
  EXPECT_EQ(r->recovery_threshold, std::optional<double>(70));
  EXPECT_EQ(r->eval_interval_sec, std::optional<std::int64_t>(15));
  EXPECT_FALSE(r->description.has_value());
}

TEST(ParseAlertRulePatch, ReadsEveryNonNullableField) {
  auto r = parse_alert_rule_patch(body(R"({"name": "n", "metric_name": "m", "promql": "up == 0", "threshold": 1,
      "comparison": "==", "repeat_interval_sec": 60, "is_active": false, "channel": "none", "for_sec": 5,
      "no_data_state": "keep_last", "severity": "info"})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->name, "n");
  EXPECT_EQ(r->metric_name, "m");
  EXPECT_EQ(r->promql, "up == 0");
  EXPECT_EQ(r->threshold, 1.0);
  EXPECT_EQ(r->comparison, "==");
  EXPECT_EQ(r->repeat_interval_sec, 60);
  EXPECT_EQ(r->is_active, false);
  EXPECT_EQ(r->channel, "none");
  EXPECT_EQ(r->for_sec, 5);
  EXPECT_EQ(r->no_data_state, "keep_last");
  EXPECT_EQ(r->severity, "info");
}

TEST(ParseAlertRulePatch, NullIsATypeErrorForNonNullableFields) {
  EXPECT_THAT(errors_of(parse_alert_rule_patch(body(R"({"name": null, "is_active": null})"))),
              ElementsAre("body.name|string_type|Input should be a valid string",
                          "body.is_active|bool_type|Input should be a valid boolean"));
}

TEST(ParseAlertRulePatch, ValidatesPresentFieldsLikeCreate) {
  EXPECT_THAT(errors_of(parse_alert_rule_patch(body(R"({"treshold": 5, "comparison": "gt", "server_id": 0})"))),
              ElementsAre("body.server_id|greater_than_equal|Input should be greater than or equal to 1",
                          "body.comparison|literal_error|Input should be '>', '>=', '<', '<=', '==' or '!='",
                          "body.treshold|extra_forbidden|Extra inputs are not permitted"));
}

AlertRule sample_rule() {
  AlertRule r;
  r.id = 9;
  r.name = "CPU \"hot\" 🔥";
  r.server_id = 2;
  r.metric_name = "cpu";
  r.promql = "cpu{instance=\"$instance\"}";
  r.threshold = 90;
  r.recovery_threshold = 80;
  r.description = "Прод";
  r.state = "firing";
  r.last_evaluated_at = core::from_unix(1795472666);
  r.last_value = 93.5;
  r.last_error = "timeout";
  r.created_at = core::from_unix(1795472000);
  r.updated_at = core::from_unix(1795472666);
  return r;
}

// The 22 fields of the original contract, and §9's channel_ids,
// group_wait_sec and group_interval_sec.
TEST(AlertRuleToJson, HasExactlyTheContractFields) {
  const auto v = to_json(sample_rule());
  EXPECT_EQ(test::keys_of(v), (std::set<std::string>{"id",
                                                     "name",
                                                     "server_id",
                                                     "metric_name",
                                                     "promql",
                                                     "threshold",
                                                     "comparison",
                                                     "repeat_interval_sec",
                                                     "is_active",
                                                     "channel",
                                                     "for_sec",
                                                     "recovery_threshold",
                                                     "no_data_state",
                                                     "severity",
                                                     "description",
                                                     "eval_interval_sec",
                                                     "state",
                                                     "last_evaluated_at",
                                                     "last_value",
                                                     "last_error",
                                                     "created_at",
                                                     "updated_at",
                                                     "channel_ids",
                                                     "group_wait_sec",
                                                     "group_interval_sec",
                                                     "keep_firing_for_sec",
                                                     "summary",
                                                     "labels",
                                                     "annotations",
                                                     "rule_group"}));
  EXPECT_EQ(v.as_object().size(), 30U);
  EXPECT_EQ(v.at("channel_ids"), boost::json::array());
  EXPECT_TRUE(v.at("group_wait_sec").is_null());
  EXPECT_EQ(v.at("name").as_string(), "CPU \"hot\" 🔥");
  EXPECT_EQ(v.at("server_id").as_int64(), 2);
  EXPECT_EQ(v.at("threshold").to_number<double>(), 90.0);
  EXPECT_EQ(v.at("recovery_threshold").to_number<double>(), 80.0);
  EXPECT_EQ(v.at("repeat_interval_sec").as_int64(), 300);
  EXPECT_EQ(v.at("state").as_string(), "firing");
  EXPECT_EQ(v.at("last_evaluated_at").as_string(), "2026-11-23T22:24:26Z");
  EXPECT_EQ(v.at("last_value").to_number<double>(), 93.5);
  EXPECT_EQ(v.at("last_error").as_string(), "timeout");
  EXPECT_TRUE(v.at("eval_interval_sec").is_null());
}

TEST(AlertRuleToJson, UnsetOptionalsAreNull) {
  AlertRule r;
  const auto v = to_json(r);
  for (const auto* key : {"server_id", "recovery_threshold", "description", "eval_interval_sec", "last_evaluated_at",
                          "last_value", "last_error"})
    EXPECT_TRUE(v.at(key).is_null()) << key;
}

TEST(AlertRuleToJson, NonFiniteValuesAreNullSoTheOutputStaysValidJson) {
  auto r = sample_rule();
  r.last_value = std::numeric_limits<double>::quiet_NaN();
  r.threshold = std::numeric_limits<double>::infinity();
  const auto v = to_json(r);
  EXPECT_TRUE(v.at("last_value").is_null());
  EXPECT_TRUE(v.at("threshold").is_null());
  EXPECT_TRUE(parse_json_body(boost::json::serialize(v)).has_value());
}

TEST(AlertRuleToJson, AGetBodySentBackAsPatchIsAcceptedUnchanged) {
  const auto rule = sample_rule();
  auto patch = parse_alert_rule_patch(body(boost::json::serialize(to_json(rule))));
  ASSERT_TRUE(patch.has_value());
  const auto merged = apply_patch(rule, *patch);
  EXPECT_EQ(merged.name, rule.name);
  EXPECT_EQ(merged.server_id, rule.server_id);
  EXPECT_EQ(merged.promql, rule.promql);
  EXPECT_EQ(merged.threshold, rule.threshold);
  EXPECT_EQ(merged.recovery_threshold, rule.recovery_threshold);
  EXPECT_EQ(merged.description, rule.description);
  EXPECT_EQ(merged.eval_interval_sec, rule.eval_interval_sec);
  EXPECT_EQ(merged.state, rule.state);
}

}  // namespace
}  // namespace sentinel::domain

namespace sentinel::domain {
namespace {

// product.md §9: a rule names its channels and may set its own grouping.
TEST(ParseAlertRuleCreate, ChannelIdsAndGrouping) {
  auto r = parse_alert_rule_create(test::body(R"({"name": "x", "metric_name": "m", "promql": "up", "threshold": 1,
      "channel_ids": [3, 1, 3], "group_wait_sec": 0, "group_interval_sec": 86400})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->channel_ids, (std::vector<std::int64_t>{3, 1})) << "duplicates collapse";
  EXPECT_EQ(r->group_wait_sec, 0);
  EXPECT_EQ(r->group_interval_sec, 86400);
  r = parse_alert_rule_create(test::body(R"({"name": "x", "metric_name": "m", "promql": "up", "threshold": 1})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->channel_ids.empty());
  EXPECT_FALSE(r->group_wait_sec);
  EXPECT_FALSE(r->group_interval_sec);

  std::string many = "[";
  for (int i = 1; i <= 101; ++i) many += std::string(i > 1 ? "," : "") + std::to_string(i);
  many += "]";
  EXPECT_THAT(test::errors_of(parse_alert_rule_create(test::body(
                  R"({"name": "x", "metric_name": "m", "promql": "up", "threshold": 1, "channel_ids": [1, 0, "a"],
                      "group_wait_sec": 3601, "group_interval_sec": 0})"))),
              ::testing::ElementsAre(
                  "body.channel_ids.1|greater_than_equal|Input should be greater than or equal to 1",
                  "body.channel_ids.2|int_type|Input should be a valid integer",
                  "body.group_wait_sec|less_than_equal|Input should be less than or equal to 3600",
                  "body.group_interval_sec|greater_than_equal|Input should be greater than or equal to 1"));
  EXPECT_THAT(test::errors_of(parse_alert_rule_create(test::body(
                  R"({"name": "x", "metric_name": "m", "promql": "up", "threshold": 1, "channel_ids": )" + many + "}"))),
              ::testing::ElementsAre(::testing::HasSubstr("body.channel_ids|too_long|")));
  EXPECT_THAT(test::errors_of(parse_alert_rule_create(test::body(
                  R"({"name": "x", "metric_name": "m", "promql": "up", "threshold": 1, "channel_ids": 5})"))),
              ::testing::ElementsAre("body.channel_ids|list_type|Input should be a valid list"));
}

TEST(ParseAlertRulePatch, ChannelIdsAndGroupingMergeLikeTheOtherFields) {
  AlertRule rule;
  rule.channel_ids = {4};
  rule.group_wait_sec = 10;
  auto untouched = apply_patch(rule, parse_alert_rule_patch(test::body(R"({"name": "y"})")).value());
  EXPECT_EQ(untouched.channel_ids, std::vector<std::int64_t>{4});
  EXPECT_EQ(untouched.group_wait_sec, 10);
  auto changed = apply_patch(rule, parse_alert_rule_patch(test::body(
                                       R"({"channel_ids": [], "group_wait_sec": null, "group_interval_sec": 60})"))
                                       .value());
  EXPECT_TRUE(changed.channel_ids.empty());
  EXPECT_FALSE(changed.group_wait_sec) << "null: back to GROUP_WAIT_SEC";
  EXPECT_EQ(changed.group_interval_sec, 60);
}

}  // namespace
}  // namespace sentinel::domain
