#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <vector>

#include "group_fixture.hpp"
#include "notify/webhook_channel.hpp"
#include "notify/webhook_payload.hpp"

namespace sentinel::notify {
namespace {

using testing::sample_group;
using testing::settings;

std::vector<std::string> keys(const boost::json::object& o) {
  std::vector<std::string> out;
  for (const auto& [k, v] : o) out.emplace_back(k);
  return out;
}

TEST(WebhookGroupPayload, AlertmanagerV4WithEveryAlert) {
  auto g = sample_group(3);
  g.alerts[2].event.labels["mountpoint"] = "/";
  const auto p = webhook_group_payload(g);
  EXPECT_EQ(keys(p), (std::vector<std::string>{"receiver", "status", "alerts", "groupLabels", "commonLabels",
                                               "commonAnnotations", "externalURL", "version", "groupKey",
                                               "truncatedAlerts"}));
  EXPECT_EQ(p.at("status").as_string(), "firing");
  EXPECT_EQ(p.at("version").as_string(), "4");
  EXPECT_EQ(p.at("externalURL").as_string(), "https://sentinel.example.com");
  EXPECT_EQ(p.at("groupKey").as_string(), "{}/{rule_id=\"7\"}:{alertname=\"High CPU\"}");
  EXPECT_EQ(p.at("groupLabels"), boost::json::parse(R"({"alertname": "High CPU"})"));
  // Only what all three share: not the instance, server_id or the third one's mountpoint.
  EXPECT_EQ(p.at("commonLabels"),
            boost::json::parse(R"({"alertname": "High CPU", "job": "node", "rule_id": "7", "severity": "critical"})"));
  EXPECT_EQ(p.at("commonAnnotations"), boost::json::parse(R"({"comparison": ">", "threshold": "90",
                                                              "value": "95.33333"})"));
  const auto& alerts = p.at("alerts").as_array();
  ASSERT_EQ(alerts.size(), 3u);
  const auto& a = alerts[0].as_object();
  EXPECT_EQ(keys(a), (std::vector<std::string>{"status", "labels", "annotations", "startsAt", "endsAt",
                                               "generatorURL", "fingerprint"}));
  EXPECT_EQ(a.at("generatorURL").as_string(), "https://sentinel.example.com/events/101");
  EXPECT_EQ(a.at("endsAt").as_string(), "0001-01-01T00:00:00Z");
  EXPECT_EQ(a.at("labels").at("server_id").as_string(), "1");
  EXPECT_EQ(alerts[2].at("labels").at("mountpoint").as_string(), "/");
}

TEST(WebhookGroupPayload, ResolvedAndWithoutPublicUrl) {
  const auto p = webhook_group_payload(sample_group(2, NotificationKind::resolved, std::nullopt));
  EXPECT_EQ(p.at("status").as_string(), "resolved");
  EXPECT_EQ(p.at("externalURL").as_string(), "");
  const auto& a = p.at("alerts").as_array()[0];
  EXPECT_EQ(a.at("status").as_string(), "resolved");
  EXPECT_EQ(a.at("endsAt").as_string(), "2026-11-23T23:29:26Z");
  EXPECT_EQ(a.at("generatorURL").as_string(), "");
}

TEST(WebhookRequests, BearerToken) {
  const auto plan = webhook_requests(
      settings(R"({"url": "https://hooks.example.com/in?key=s3cret", "bearer_token": "tok"})"), sample_group(2));
  ASSERT_TRUE(plan) << plan.error();
  const auto& r = plan->requests.at(0);
  EXPECT_EQ(r.url, "https://hooks.example.com/in?key=s3cret");
  EXPECT_EQ(r.headers, (std::vector<std::string>{"Content-Type: application/json", "Authorization: Bearer tok"}));
  EXPECT_EQ(boost::json::parse(r.body).at("alerts").as_array().size(), 2u);
  // The URL (its query holds a key), its path and the token are secrets.
  EXPECT_NE(std::find(r.secrets.begin(), r.secrets.end(), "/in?key=s3cret"), r.secrets.end());
  EXPECT_NE(std::find(r.secrets.begin(), r.secrets.end(), "tok"), r.secrets.end());
}

TEST(WebhookRequests, BasicAuthEitherShape) {
  auto plan = webhook_requests(settings(R"({"url": "https://h.example.com/", "username": "u", "password": "p"})"),
                               sample_group(1));
  ASSERT_TRUE(plan) << plan.error();
  EXPECT_EQ(plan->requests[0].username, "u");
  EXPECT_EQ(plan->requests[0].password, "p");
  EXPECT_NE(std::find(plan->requests[0].secrets.begin(), plan->requests[0].secrets.end(), "p"),
            plan->requests[0].secrets.end());
  plan = webhook_requests(
      settings(R"({"url": "https://h.example.com/", "basic_auth": {"username": "u2", "password": "p2"}})"),
      sample_group(1));
  ASSERT_TRUE(plan) << plan.error();
  EXPECT_EQ(plan->requests[0].username, "u2");
}

TEST(WebhookRequests, BadSettings) {
  EXPECT_EQ(webhook_requests(settings("{}"), sample_group(1)).error(), "url is required");
  EXPECT_EQ(webhook_requests(settings(R"({"url": "h.example.com"})"), sample_group(1)).error(),
            "url must be an http:// or https:// URL");
  EXPECT_EQ(webhook_requests(settings(R"({"url": "https://h.example.com", "bearer_token": "t", "username": "u",
                                          "password": "p"})"),
                             sample_group(1))
                .error(),
            "set bearer_token or basic_auth, not both");
  EXPECT_EQ(webhook_requests(settings(R"({"url": "https://h.example.com", "password": "p"})"), sample_group(1)).error(),
            "username is required with password");
}

}  // namespace
}  // namespace sentinel::notify
