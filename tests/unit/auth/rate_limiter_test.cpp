#include "auth/rate_limiter.hpp"

#include <gtest/gtest.h>

using namespace sentinel;
using namespace std::chrono_literals;

namespace {
core::Timestamp t = core::from_unix(1'000'000);
core::Timestamp clock_now() { return t; }
}  // namespace

TEST(RateLimiter, BlocksAfterMaxFailuresUntilWindowPasses) {
  auth::RateLimiter limiter(3, 60s, clock_now);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.retry_after("k"));
    limiter.record_failure("k");
    t += 1s;
  }
  auto wait = limiter.retry_after("k");
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 57);  // first failure at T, now T+3, window 60
  t += 57s;
  EXPECT_FALSE(limiter.retry_after("k"));
  EXPECT_FALSE(limiter.retry_after("other"));
}

TEST(RateLimiter, ResetClearsKey) {
  auth::RateLimiter limiter(1, 60s, clock_now);
  limiter.record_failure("k");
  EXPECT_TRUE(limiter.retry_after("k"));
  limiter.reset("k");
  EXPECT_FALSE(limiter.retry_after("k"));
}

TEST(RateLimiter, MemoryIsBounded) {
  auth::RateLimiter limiter(5, 60s, clock_now, 100);
  for (int i = 0; i < 1000; ++i) limiter.record_failure("ip:" + std::to_string(i));
  // Still answers; the newest key is tracked.
  for (int i = 0; i < 4; ++i) limiter.record_failure("ip:999");
  EXPECT_TRUE(limiter.retry_after("ip:999"));
}

TEST(RateLimiter, WindowSlidesFailureByFailure) {
  auth::RateLimiter limiter(3, 60s, clock_now);
  const auto start = t;
  limiter.record_failure("k");  // T
  t = start + 10s;
  limiter.record_failure("k");  // T+10
  t = start + 20s;
  limiter.record_failure("k");  // T+20
  EXPECT_EQ(limiter.retry_after("k"), 40);
  t = start + 60s;  // the first failure left the window
  EXPECT_FALSE(limiter.retry_after("k"));
  limiter.record_failure("k");  // T+60: three again within the window
  EXPECT_EQ(limiter.retry_after("k"), 10);  // until T+10 leaves
}

TEST(RateLimiter, OldFailuresDoNotCount) {
  auth::RateLimiter limiter(3, 60s, clock_now);
  limiter.record_failure("k");
  limiter.record_failure("k");
  t += 60s;
  limiter.record_failure("k");
  limiter.record_failure("k");
  EXPECT_FALSE(limiter.retry_after("k"));
  limiter.record_failure("k");
  EXPECT_TRUE(limiter.retry_after("k"));
}

TEST(RateLimiter, KeysAreIndependent) {
  auth::RateLimiter limiter(2, 60s, clock_now);
  limiter.record_failure("ip:10.0.0.1");
  limiter.record_failure("ip:10.0.0.1");
  EXPECT_TRUE(limiter.retry_after("ip:10.0.0.1"));
  EXPECT_FALSE(limiter.retry_after("ip:10.0.0.2"));
  EXPECT_FALSE(limiter.retry_after("user:10.0.0.1"));
}

TEST(RateLimiter, ZeroLimitsAreSafe) {
  auth::RateLimiter limiter(0, 60s, clock_now, 0);
  EXPECT_FALSE(limiter.retry_after("k"));
  limiter.record_failure("k");
  EXPECT_TRUE(limiter.retry_after("k"));
  limiter.record_failure("other");
  EXPECT_TRUE(limiter.retry_after("other"));
}
