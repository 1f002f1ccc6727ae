// Login failure limits in Redis: two limiters (two API processes) on one
// Redis share their counts with RateLimiter's sliding-window semantics, and
// the in-process limiter decides while Redis is unreachable.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <unistd.h>

#include "auth/rate_limiter.hpp"
#include "redis/client.hpp"
#include "redis/shared_rate_limiter.hpp"
#include "support/test_env.hpp"

using namespace sentinel;
using namespace std::chrono_literals;

namespace {

std::optional<redis::RedisAddress> test_redis() {
  auto url = sentinel::testing::test_env("REDIS_URL");
  if (!url) return std::nullopt;
  return redis::parse_redis_url(*url);
}

// One process: its own client, its own in-process limiter, the shared clock.
struct Process {
  Process(const redis::RedisAddress& a, core::Clock clock, const std::string& prefix)
      : client(a, {}), local(3, 60s, clock), shared(client, local, clock, prefix) {}
  redis::Client client;
  auth::RateLimiter local;
  redis::SharedRateLimiter shared;
};

}  // namespace

TEST(SharedRateLimiter, TwoProcessesShareOneSlidingWindow) {
  auto address = test_redis();
  if (!address) GTEST_SKIP() << "no Redis (run through ctest)";
  auto now = std::make_shared<std::atomic<std::int64_t>>(1'700'000'000);
  core::Clock clock = [now] { return core::from_unix(now->load()); };
  const std::string prefix = "sentinel-test:login:" + std::to_string(::getpid()) + ":";
  Process a(*address, clock, prefix), b(*address, clock, prefix);

  a.shared.record_failure("user:x");       // t = 0
  *now += 10;
  b.shared.record_failure("user:x");       // t = 10, through the other process
  EXPECT_FALSE(a.shared.retry_after("user:x"));
  *now += 10;
  a.shared.record_failure("user:x");       // t = 20: the third failure of the window
  // Both processes refuse now, until the first failure leaves the window (t = 60).
  EXPECT_EQ(b.shared.retry_after("user:x"), 40);
  EXPECT_EQ(a.shared.retry_after("user:x"), 40);
  EXPECT_FALSE(b.local.retry_after("user:x"));  // b alone saw one failure: the limit is Redis's
  EXPECT_FALSE(a.shared.retry_after("user:y")); // other keys are free
  *now += 39;
  EXPECT_EQ(b.shared.retry_after("user:x"), 1);
  *now += 1;
  EXPECT_FALSE(b.shared.retry_after("user:x"));  // t = 60: two failures left in the window

  // A success through one process clears the key for all.
  a.shared.record_failure("user:x");
  EXPECT_TRUE(b.shared.retry_after("user:x"));
  b.shared.reset("user:x");
  EXPECT_FALSE(a.shared.retry_after("user:x"));
  EXPECT_FALSE(a.local.retry_after("user:x"));
}

TEST(SharedRateLimiter, KeysExpireWithTheWindow) {
  auto address = test_redis();
  if (!address) GTEST_SKIP() << "no Redis (run through ctest)";
  const std::string prefix = "sentinel-test:expire:" + std::to_string(::getpid()) + ":";
  redis::Client client(*address, {});
  auth::RateLimiter local(5, 60s, core::system_now);
  redis::SharedRateLimiter shared(client, local, core::system_now, prefix);
  for (int i = 0; i < 20; ++i) shared.record_failure("ip:10.0.0.1");
  auto ttl = client.command({"TTL", prefix + "ip:10.0.0.1"});
  ASSERT_TRUE(ttl);
  EXPECT_GT(ttl->integer, 0);
  EXPECT_LE(ttl->integer, 60);
  auto size = client.command({"ZCARD", prefix + "ip:10.0.0.1"});
  ASSERT_TRUE(size);
  EXPECT_EQ(size->integer, 10);  // twice the limit is all the history kept
  client.command({"DEL", prefix + "ip:10.0.0.1"});
}

TEST(SharedRateLimiter, UnreachableRedisFallsBackToThisProcess) {
  redis::RedisAddress nowhere;
  nowhere.port = 1;
  redis::Client client(nowhere, {.timeout = 200ms, .retry_pause = 10s, .degraded = {}});
  auth::RateLimiter local(2, 60s, core::system_now);
  redis::SharedRateLimiter shared(client, local, core::system_now);
  EXPECT_FALSE(shared.retry_after("user:z"));
  shared.record_failure("user:z");
  shared.record_failure("user:z");
  const auto wait = shared.retry_after("user:z");
  ASSERT_TRUE(wait);  // limited all the same, by the in-process counts
  EXPECT_GE(*wait, 59);
  shared.reset("user:z");
  EXPECT_FALSE(shared.retry_after("user:z"));
}
