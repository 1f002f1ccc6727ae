#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "domain/json.hpp"
#include "domain_test_support.hpp"

namespace sentinel::domain {
namespace {

AlertEvent sample_event() {
  AlertEvent e;
  e.id = 11;
  e.rule_id = 3;
  e.server_id = 2;
  e.rule_name = "Disk \"/\" full";
  e.status = "firing";
  e.severity = "critical";
  e.value = 97.25;
  e.threshold = 90;
  e.labels = {{"instance", "db:9100"}, {"mountpoint", "/"}, {"job", "node"}};
  e.fingerprint = "abcdef0123456789";
  e.message = "disk at 97%";
  e.started_at = core::from_unix(1795472666);
  e.notification_status = "sent";
  e.acknowledged = true;
  e.acknowledged_at = core::from_unix(1795472700);
  e.acknowledged_by = 1;
  e.created_at = core::from_unix(1795472666);
  return e;
}

TEST(AlertEventToJson, HasExactlyTheContractFields) {
  const auto v = to_json(sample_event());
  EXPECT_EQ(test::keys_of(v),
            (std::set<std::string>{"id", "rule_id", "server_id", "rule_name", "status", "severity", "value",
                                   "threshold", "comparison", "labels", "message", "started_at", "resolved_at",
                                   "last_notified_at", "notification_status", "acknowledged", "created_at"}));
  EXPECT_EQ(v.at("id").as_int64(), 11);
  EXPECT_EQ(v.at("rule_id").as_int64(), 3);
  EXPECT_EQ(v.at("server_id").as_int64(), 2);
  EXPECT_EQ(v.at("rule_name").as_string(), "Disk \"/\" full");
  EXPECT_EQ(v.at("status").as_string(), "firing");
  EXPECT_EQ(v.at("severity").as_string(), "critical");
  EXPECT_EQ(v.at("value").to_number<double>(), 97.25);
  EXPECT_EQ(v.at("threshold").to_number<double>(), 90.0);
  EXPECT_EQ(v.at("message").as_string(), "disk at 97%");
  EXPECT_EQ(v.at("started_at").as_string(), "2026-11-23T22:24:26Z");
  EXPECT_TRUE(v.at("resolved_at").is_null());
  EXPECT_TRUE(v.at("last_notified_at").is_null());
  EXPECT_EQ(v.at("notification_status").as_string(), "sent");
  EXPECT_TRUE(v.at("acknowledged").as_bool());
}

TEST(AlertEventToJson, LabelsAreAJsonObject) {
  const auto v = to_json(sample_event());
  const auto& labels = v.at("labels").as_object();
  EXPECT_EQ(labels.size(), 3U);
  EXPECT_EQ(labels.at("instance").as_string(), "db:9100");
  EXPECT_EQ(labels.at("mountpoint").as_string(), "/");
  EXPECT_EQ(labels.at("job").as_string(), "node");
}

TEST(AlertEventToJson, NullablesAreNullWhenUnset) {
  AlertEvent e = sample_event();
  e.rule_id.reset();    // rule deleted
  e.server_id.reset();  // unregistered instance
  e.value.reset();      // no data
  e.labels.clear();
  const auto v = to_json(e);
  EXPECT_TRUE(v.at("rule_id").is_null());
  EXPECT_TRUE(v.at("server_id").is_null());
  EXPECT_TRUE(v.at("value").is_null());
  EXPECT_TRUE(v.at("labels").as_object().empty());
}

TEST(AlertEventToJson, ResolvedTimesAreIso8601) {
  AlertEvent e = sample_event();
  e.status = "resolved";
  e.resolved_at = core::from_unix(1795473000);
  e.last_notified_at = core::from_unix(1795472670);
  const auto v = to_json(e);
  EXPECT_EQ(v.at("resolved_at").as_string(), "2026-11-23T22:30:00Z");
  EXPECT_EQ(v.at("last_notified_at").as_string(), "2026-11-23T22:24:30Z");
}

TEST(AlertEventToJson, NonFiniteValuesSerializeAsNull) {
  for (const double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()}) {
    AlertEvent e = sample_event();
    e.value = bad;
    e.threshold = bad;
    const auto v = to_json(e);
    EXPECT_TRUE(v.at("value").is_null());
    EXPECT_TRUE(v.at("threshold").is_null());
    const auto text = boost::json::serialize(v);
    EXPECT_TRUE(parse_json_body(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace sentinel::domain
