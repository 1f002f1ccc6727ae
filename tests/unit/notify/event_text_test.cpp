#include <gtest/gtest.h>

#include "group_fixture.hpp"
#include "notify/event_text.hpp"

namespace sentinel::notify {
namespace {

using testing::sample_alert;
using testing::sample_group;

TEST(EventMessage, KeepsTheStoredFormat) {
  EXPECT_EQ(event_message("High CPU", ">", 90, 97.5, "web-1"), "High CPU: 97.5 > 90 on web-1");
  EXPECT_EQ(event_message("Disk full", ">", 90, std::nullopt, "web-1"), "Disk full: no data > 90 on web-1");
  EXPECT_EQ(event_message("Load", "<", 0.5, 0.123456, ""), "Load: 0.1235 < 0.5");
  EXPECT_EQ(event_message("X", ">", 1, std::nan(""), "h"), "X: NaN > 1 on h");
}

TEST(GroupTitle, CountsTheAlerts) {
  EXPECT_EQ(group_title(sample_group(3)), "[FIRING:3] High CPU");
  EXPECT_EQ(group_title(sample_group(1, NotificationKind::repeat)), "[FIRING:1] High CPU");
  EXPECT_EQ(group_title(sample_group(2, NotificationKind::resolved)), "[RESOLVED:2] High CPU");
}

TEST(GroupSummary, SaysHowManyAndHowBad) {
  EXPECT_EQ(group_summary(sample_group(3)), "3 alerts firing \xC2\xB7 critical");
  EXPECT_EQ(group_summary(sample_group(1, NotificationKind::repeat)), "1 alert still firing \xC2\xB7 critical");
  EXPECT_EQ(group_summary(sample_group(2, NotificationKind::resolved)), "2 alerts resolved \xC2\xB7 critical");
}

TEST(SeriesLine, ServerValueSinceAndOtherLabels) {
  EXPECT_EQ(series_line(sample_alert(1)),
            "web-1 (10.0.0.1:9100): 95.33 > 90 since 2026-11-23T22:24:26Z {job=\"node\"}");
  auto repeat = sample_alert(2, NotificationKind::repeat);
  repeat.now = repeat.event.started_at + std::chrono::seconds{7500};
  EXPECT_EQ(series_line(repeat),
            "web-2 (10.0.0.2:9100): 95.33 > 90 since 2026-11-23T22:24:26Z, for 2h 5m {job=\"node\"}");
  EXPECT_EQ(series_line(sample_alert(3, NotificationKind::resolved)),
            "web-3 (10.0.0.3:9100): 95.33 > 90 since 2026-11-23T22:24:26Z, resolved after 1h 5m {job=\"node\"}");
}

TEST(SeriesLine, UnknownServerFallsBackToInstanceThenId) {
  auto n = sample_alert(1);
  n.server_name.reset();
  EXPECT_EQ(series_text(n).subject, "10.0.0.1:9100");
  n.instance.reset();
  n.event.labels.clear();
  EXPECT_EQ(series_text(n).subject, "server #1");
  n.event.server_id.reset();
  n.event.value.reset();
  EXPECT_EQ(series_line(n), "no data > 90 since 2026-11-23T22:24:26Z");
}

TEST(SeriesText, HugeLabelValuesAreBounded) {
  auto n = sample_alert(1);
  n.event.labels["path"] = std::string(100000, 'x');
  n.server_name = std::string(100000, 'y');
  const auto t = series_text(n);
  EXPECT_LE(t.labels.size(), 700u);
  EXPECT_LE(t.subject.size(), 400u);
}

TEST(ConsoleLinks, EventAndGroup) {
  auto g = sample_group(3);
  EXPECT_EQ(event_link(g, g.alerts[0]), "https://sentinel.example.com/events/101");
  EXPECT_EQ(group_link(g), "https://sentinel.example.com/events?rule=7");
  g.alerts.resize(1);
  EXPECT_EQ(group_link(g), "https://sentinel.example.com/events/101");
  g.public_url = "https://sentinel.example.com/";
  EXPECT_EQ(event_link(g, g.alerts[0]), "https://sentinel.example.com/events/101");
  g.public_url.reset();
  EXPECT_EQ(event_link(g, g.alerts[0]), std::nullopt);
  EXPECT_EQ(group_link(g), std::nullopt);
}

TEST(ConsoleLinks, NoEventNoRule) {
  auto g = sample_group(2);
  for (auto& n : g.alerts) {
    n.event.id = 0;
    n.event.rule_id.reset();
  }
  EXPECT_EQ(event_link(g, g.alerts[0]), std::nullopt);
  EXPECT_EQ(group_link(g), "https://sentinel.example.com/events");
}

}  // namespace
}  // namespace sentinel::notify
