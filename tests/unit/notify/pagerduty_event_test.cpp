#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "group_fixture.hpp"
#include "notify/pagerduty_event.hpp"

namespace sentinel::notify {
namespace {

using testing::sample_group;
using testing::settings;

TEST(PagerDutyEvent, TriggerShape) {
  auto g = sample_group(2);
  g.alerts[0].description = "front web servers";
  EXPECT_EQ(pagerduty_event(g, g.alerts[0], "R0UTING"), boost::json::parse(R"json({
    "routing_key": "R0UTING",
    "event_action": "trigger",
    "dedup_key": "sentinel:101:fp1",
    "payload": {
      "summary": "High CPU: 95.33 > 90 on web-1",
      "source": "web-1 (10.0.0.1:9100)",
      "severity": "critical",
      "timestamp": "2026-11-23T22:24:26Z",
      "group": "High CPU",
      "custom_details": {"rule": "High CPU", "labels": {"instance": "10.0.0.1:9100", "job": "node"},
                         "value": "95.33333", "threshold": "90", "comparison": ">",
                         "started_at": "2026-11-23T22:24:26Z", "description": "front web servers"}},
    "links": [{"href": "https://sentinel.example.com/events/101", "text": "Open in Sentinel"}],
    "client": "Sentinel",
    "client_url": "https://sentinel.example.com"})json"))
      << boost::json::serialize(pagerduty_event(g, g.alerts[0], "R0UTING"));
}

TEST(PagerDutyEvent, ResolveNeedsOnlyTheKey) {
  const auto g = sample_group(1, NotificationKind::resolved);
  EXPECT_EQ(pagerduty_event(g, g.alerts[0], "R"),
            boost::json::parse(R"({"routing_key": "R", "event_action": "resolve", "dedup_key": "sentinel:101:fp1"})"));
}

TEST(PagerDutyEvent, DedupKeyIsStableAcrossFiringAndResolve) {
  auto firing = sample_group(1);
  auto resolved = sample_group(1, NotificationKind::resolved);
  // Between the two the rule was renamed and deleted, the server registered.
  resolved.alerts[0].event.rule_name = "CPU";
  resolved.alerts[0].event.rule_id.reset();
  resolved.alerts[0].event.severity = "warning";
  firing.alerts[0].event.server_id.reset();
  EXPECT_EQ(pagerduty_dedup_key(firing.alerts[0]), pagerduty_dedup_key(resolved.alerts[0]));
  // Two rules over the same series are two alerts.
  auto other = sample_group(1);
  other.alerts[0].event.id = 999;
  EXPECT_NE(pagerduty_dedup_key(firing.alerts[0]), pagerduty_dedup_key(other.alerts[0]));
}

TEST(PagerDutyEvent, SeverityAndSummaryBounds) {
  EXPECT_EQ(pagerduty_severity("critical"), "critical");
  EXPECT_EQ(pagerduty_severity("warning"), "warning");
  EXPECT_EQ(pagerduty_severity("info"), "info");
  EXPECT_EQ(pagerduty_severity("disaster"), "warning");
  auto g = sample_group(1, NotificationKind::firing, std::nullopt);
  g.alerts[0].event.message = std::string(5000, 'x') + "\xC3\xA9";
  const auto e = pagerduty_event(g, g.alerts[0], "R");
  EXPECT_LE(e.at("payload").at("summary").as_string().size(), pagerduty_max_summary);
  EXPECT_FALSE(e.contains("links"));
  EXPECT_FALSE(e.contains("client_url"));
}

TEST(PagerDutyRequests, OneEventPerAlert) {
  const auto plan = pagerduty_requests(settings(R"({"routing_key": "R0UTING"})"), sample_group(3));
  ASSERT_TRUE(plan) << plan.error();
  ASSERT_EQ(plan->requests.size(), 3u);
  EXPECT_TRUE(plan->same_target);
  for (const auto& r : plan->requests) {
    EXPECT_EQ(r.url, "https://events.pagerduty.com/v2/enqueue");
    EXPECT_EQ(r.secrets, std::vector<std::string>{"R0UTING"});
  }
  EXPECT_EQ(boost::json::parse(plan->requests[2].body).at("dedup_key").as_string(), "sentinel:103:fp3");
  const auto custom = pagerduty_requests(
      settings(R"({"routing_key": "R", "api_url": "http://127.0.0.1:9/v2/enqueue"})"), sample_group(1));
  EXPECT_EQ(custom->requests[0].url, "http://127.0.0.1:9/v2/enqueue");
  EXPECT_EQ(pagerduty_requests(settings("{}"), sample_group(1)).error(), "routing_key is required");
}

}  // namespace
}  // namespace sentinel::notify
