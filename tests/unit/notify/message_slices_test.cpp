// A group becomes one message, except on PagerDuty (one event per request,
// 120 a minute per routing key): slices of at most pagerduty_slice alerts,
// in row order, so that its rate limit halfway retries only what is left.
#include <gtest/gtest.h>

#include "notify/notification_dispatcher.hpp"

namespace sentinel::notify {
namespace {

storage::OutboxGroup group_of(std::size_t n) {
  storage::OutboxGroup g{7, "#3", "firing", {}};
  for (std::size_t i = 0; i < n; ++i) g.items.push_back({static_cast<std::int64_t>(i + 1), 100, "firing", "{}", 0, {}, {}});
  return g;
}

TEST(MessageSlices, EveryOtherTypeSendsTheWholeGroupAsOneMessage) {
  for (const char* type : {"telegram", "webhook", "slack", "discord", "email", "alertmanager", "ntfy"}) {
    const auto slices = message_slices(group_of(1000), type);
    ASSERT_EQ(slices.size(), 1u) << type;
    EXPECT_EQ(slices[0].items.size(), 1000u) << type;
  }
}

TEST(MessageSlices, PagerDutyGoesInSlicesUnderItsRateLimitInRowOrder) {
  EXPECT_EQ(message_slices(group_of(pagerduty_slice), "pagerduty").size(), 1u);
  const auto slices = message_slices(group_of(250), "pagerduty");
  ASSERT_EQ(slices.size(), 3u);
  EXPECT_EQ(slices[0].items.size(), 100u);
  EXPECT_EQ(slices[1].items.size(), 100u);
  EXPECT_EQ(slices[2].items.size(), 50u);
  std::int64_t expected = 1;
  for (const auto& s : slices) {
    EXPECT_EQ(s.rule_id, 7);
    EXPECT_EQ(s.channel, "#3");
    EXPECT_EQ(s.kind, "firing");
    for (const auto& item : s.items) EXPECT_EQ(item.id, expected++);
  }
}

}  // namespace
}  // namespace sentinel::notify
