#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "group_fixture.hpp"
#include "notify/alertmanager_alerts.hpp"

namespace sentinel::notify {
namespace {

using testing::sample_group;
using testing::settings;

TEST(AlertmanagerAlerts, PostableAlertsAsPrometheusSendsThem) {
  const auto alerts = alertmanager_alerts(sample_group(2));
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0], boost::json::parse(R"({
    "labels": {"alertname": "High CPU", "instance": "10.0.0.1:9100", "job": "node", "rule_id": "7",
               "server": "web-1", "server_id": "1", "severity": "critical"},
    "annotations": {"comparison": ">", "summary": "High CPU: 95.33 > 90 on web-1", "threshold": "90",
                    "value": "95.33333"},
    "startsAt": "2026-11-23T22:24:26Z",
    "endsAt": "2026-11-23T22:33:26Z",
    "generatorURL": "https://sentinel.example.com/events/101"})"))
      << boost::json::serialize(alerts[0]);
}

TEST(AlertmanagerAlerts, ResolvedCarriesItsEnd) {
  const auto alerts = alertmanager_alerts(sample_group(1, NotificationKind::resolved, std::nullopt));
  EXPECT_EQ(alerts[0].at("endsAt").as_string(), "2026-11-23T23:29:26Z");
  EXPECT_FALSE(alerts[0].as_object().contains("generatorURL"));
}

TEST(AlertmanagerAlerts, SeriesLabelServerIsKept) {
  auto g = sample_group(1);
  g.alerts[0].event.labels["server"] = "from-the-series";
  EXPECT_EQ(alertmanager_alerts(g)[0].at("labels").at("server").as_string(), "from-the-series");
}

TEST(AlertmanagerRequests, OneRequestPerUrl) {
  const auto plan = alertmanager_requests(
      settings(R"({"urls": ["http://am1:9093", "http://am2:9093/", "https://u:pw@am3/api/v2/alerts"]})"),
      sample_group(2));
  ASSERT_TRUE(plan) << plan.error();
  EXPECT_FALSE(plan->same_target);
  ASSERT_EQ(plan->requests.size(), 3u);
  EXPECT_EQ(plan->requests[0].url, "http://am1:9093/api/v2/alerts");
  EXPECT_EQ(plan->requests[1].url, "http://am2:9093/api/v2/alerts");
  EXPECT_EQ(plan->requests[2].url, "https://u:pw@am3/api/v2/alerts");
  EXPECT_EQ(plan->requests[2].secrets, std::vector<std::string>{"u:pw"});
  EXPECT_EQ(boost::json::parse(plan->requests[0].body).as_array().size(), 2u);
}

TEST(AlertmanagerRequests, BadSettings) {
  EXPECT_EQ(alertmanager_requests(settings("{}"), sample_group(1)).error(), "urls is required");
  EXPECT_EQ(alertmanager_requests(settings(R"({"urls": []})"), sample_group(1)).error(), "urls is required");
  EXPECT_EQ(alertmanager_requests(settings(R"({"urls": ["am:9093"]})"), sample_group(1)).error(),
            "urls must hold http:// or https:// URLs");
  EXPECT_EQ(alertmanager_requests(settings(R"({"urls": [1]})"), sample_group(1)).error(),
            "urls must be a list of non-empty strings");
}

}  // namespace
}  // namespace sentinel::notify
