// A target's Retry-After / retry_after is honoured only up to the channel's
// maximum backoff (NOTIFY_MAX_BACKOFF_SEC): a hostile or broken target must
// neither park a notification for years nor overflow the clock arithmetic.
#include <gtest/gtest.h>

#include <limits>

#include "core/time.hpp"
#include "notify/notification_dispatcher.hpp"
#include "notify/telegram_request.hpp"
#include "notify/retry_after.hpp"

namespace sentinel::notify {
namespace {

using std::chrono::seconds;

NotificationDispatcherOptions with_max(seconds max) {
  NotificationDispatcherOptions o;
  o.first_backoff = seconds{5};
  o.max_backoff = max;
  return o;
}

const core::Timestamp asked_at = core::from_unix(1445412480);

TEST(RequestedWait, HugeHttpRetryAfterIsBoundedWhenParsed) {
  for (const char* header : {"1000000000000000000", "9223372036854775807", "99999999999999999999999999"}) {
    const auto wait = parse_retry_after(header, asked_at);
    ASSERT_TRUE(wait.has_value()) << header;
    EXPECT_EQ(*wait, max_requested_wait) << header;
  }
  EXPECT_FALSE(parse_retry_after("1e18", asked_at).has_value());
  EXPECT_FALSE(parse_retry_after("-5", asked_at).has_value());
  EXPECT_FALSE(parse_retry_after("+5", asked_at).has_value());
  EXPECT_EQ(parse_retry_after("0", asked_at), seconds{1});
}

TEST(RequestedWait, HugeTelegramRetryAfterIsBoundedWhenParsed) {
  for (const char* body : {R"({"ok":false,"parameters":{"retry_after":1000000000000000000}})",
                           R"({"ok":false,"parameters":{"retry_after":9223372036854775807}})",
                           R"({"ok":false,"parameters":{"retry_after":1e18}})"}) {
    const auto r = classify_telegram_response(429, body);
    ASSERT_TRUE(r.retry_after.has_value()) << body;
    EXPECT_EQ(*r.retry_after, max_requested_wait) << body;
  }
  EXPECT_EQ(classify_telegram_response(429, R"({"ok":false,"parameters":{"retry_after":-9223372036854775807}})")
                .retry_after,
            seconds{1});
}

TEST(RetryDelay, ATargetsWaitIsHonouredUpToTheMaximumBackoff) {
  const auto o = with_max(seconds{3600});
  DeliveryResult r;
  r.retry_after = seconds{17};
  EXPECT_EQ(retry_delay(r, 1, o), seconds{17});
  r.retry_after = parse_retry_after("1000000000000000000", asked_at);
  EXPECT_EQ(retry_delay(r, 1, o), seconds{3600});
  r.retry_after = classify_telegram_response(429, R"({"ok":false,"parameters":{"retry_after":1e18}})").retry_after;
  EXPECT_EQ(retry_delay(r, 1, o), seconds{3600});
  r.retry_after = seconds{std::numeric_limits<std::int64_t>::max()};  // whatever reaches it
  EXPECT_EQ(retry_delay(r, 1, o), seconds{3600});
  EXPECT_EQ(retry_delay(r, 1, with_max(seconds{60})), seconds{60});
  // The retry time is computed without overflow and within the hour.
  const auto now = core::from_unix(1795472666);
  EXPECT_EQ(core::to_unix(now + retry_delay(r, 1, o)), 1795472666 + 3600);
}

TEST(RetryDelay, ExponentialBackoffIsCappedTheSameWay) {
  const auto o = with_max(seconds{3600});
  DeliveryResult r;  // no retry_after
  EXPECT_EQ(retry_delay(r, 1, o), seconds{5});
  EXPECT_EQ(retry_delay(r, 2, o), seconds{10});
  EXPECT_EQ(retry_delay(r, 10, o), seconds{2560});
  EXPECT_EQ(retry_delay(r, 11, o), seconds{3600});
  EXPECT_EQ(retry_delay(r, std::numeric_limits<std::int64_t>::max(), o), seconds{3600});
  EXPECT_EQ(backoff_after(1000000, with_max(seconds{86400})), seconds{86400});
}

}  // namespace
}  // namespace sentinel::notify
