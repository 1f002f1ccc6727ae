#include <gtest/gtest.h>

#include "core/utf8.hpp"
#include "group_fixture.hpp"
#include "notify/ntfy_message.hpp"

namespace sentinel::notify {
namespace {

using testing::sample_group;
using testing::settings;

TEST(NtfyMessage, TitlePriorityTagsClickAndText) {
  const auto m = ntfy_message(sample_group(2));
  EXPECT_EQ(m.title, "[FIRING:2] High CPU");
  EXPECT_EQ(m.priority, 5);
  EXPECT_EQ(m.tags, "rotating_light,critical");
  EXPECT_EQ(m.click, "https://sentinel.example.com/events?rule=7");
  EXPECT_EQ(m.body,
            "2 alerts firing \xC2\xB7 critical\n"
            "web-1 (10.0.0.1:9100): 95.33 > 90 since 2026-11-23T22:24:26Z {job=\"node\"}\n"
            "web-2 (10.0.0.2:9100): 95.33 > 90 since 2026-11-23T22:24:26Z {job=\"node\"}");
}

TEST(NtfyMessage, PriorityBySeverityAndLowerWhenResolved) {
  auto g = sample_group(1);
  g.alerts[0].event.severity = "warning";
  EXPECT_EQ(ntfy_message(g).priority, 4);
  g.alerts[0].event.severity = "info";
  EXPECT_EQ(ntfy_message(g).priority, 3);
  const auto resolved = ntfy_message(sample_group(1, NotificationKind::resolved));
  EXPECT_EQ(resolved.priority, 2);
  EXPECT_EQ(resolved.tags, "white_check_mark,resolved");
}

TEST(NtfyMessage, ThreeHundredSeriesWithin4096BytesCutOnUtf8) {
  auto g = sample_group(300);
  for (auto& n : g.alerts) n.server_name = "серверный-узел-" + std::to_string(n.event.id);
  const auto m = ntfy_message(g);
  EXPECT_LE(m.body.size(), ntfy_max_message_bytes);
  EXPECT_EQ(core::sanitize_utf8(m.body), m.body);
  EXPECT_NE(m.body.find(" more"), std::string::npos);
}

TEST(NtfyRequests, HeadersAndSecrets) {
  auto g = sample_group(1);
  g.alerts[0].event.rule_name = "Température\r\nX-Evil: 1";
  const auto plan = ntfy_requests(settings(R"({"url": "https://ntfy.example.com/alerts", "token": "tk_1"})"), g);
  ASSERT_TRUE(plan) << plan.error();
  const auto& r = plan->requests.at(0);
  EXPECT_EQ(r.url, "https://ntfy.example.com/alerts");
  ASSERT_GE(r.headers.size(), 6u);
  EXPECT_EQ(r.headers[0], "Content-Type: text/plain; charset=utf-8");
  EXPECT_TRUE(r.headers[1].starts_with("Title: =?UTF-8?B?")) << r.headers[1];
  for (const auto& h : r.headers) EXPECT_EQ(h.find_first_of("\r\n"), std::string::npos) << h;
  EXPECT_EQ(r.headers[2], "Priority: 5");
  EXPECT_EQ(r.headers[3], "Tags: rotating_light,critical");
  EXPECT_EQ(r.headers[4], "Click: https://sentinel.example.com/events/101");
  EXPECT_EQ(r.headers[5], "Authorization: Bearer tk_1");
  EXPECT_NE(std::find(r.secrets.begin(), r.secrets.end(), "tk_1"), r.secrets.end());
  EXPECT_NE(std::find(r.secrets.begin(), r.secrets.end(), "/alerts"), r.secrets.end());
  EXPECT_EQ(ntfy_requests(settings("{}"), g).error(), "url is required");
}

TEST(NtfyRequests, PlainTitleStaysPlain) {
  const auto plan = ntfy_requests(settings(R"({"url": "http://127.0.0.1/t"})"), sample_group(1));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->requests[0].headers[1], "Title: [FIRING:1] High CPU");
  EXPECT_EQ(plan->requests[0].headers.size(), 5u);  // no Authorization
}

}  // namespace
}  // namespace sentinel::notify
