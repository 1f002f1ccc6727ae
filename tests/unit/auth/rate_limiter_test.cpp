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
