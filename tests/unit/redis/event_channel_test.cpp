// Redis pub/sub for alert events, against the real redis-server that
// scripts/test-env starts: delivery between two channels objects (two
// processes in production), reconnection, and an unreachable Redis.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <vector>

#include "redis/event_channel.hpp"
#include "support/test_env.hpp"

using namespace sentinel;
using namespace std::chrono_literals;

namespace {

struct Inbox {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> messages;

  void add(const std::string& m) {
    std::lock_guard lock(mutex);
    messages.push_back(m);
    changed.notify_all();
  }
  bool wait_for_count(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, [&] { return messages.size() >= n; });
  }
};

std::optional<redis::RedisAddress> test_redis() {
  auto url = sentinel::testing::test_env("REDIS_URL");
  if (!url) return std::nullopt;
  return redis::parse_redis_url(*url);
}

}  // namespace

TEST(RedisUrl, Parses) {
  auto a = redis::parse_redis_url("redis://:s3cret@cache.internal:6380/2");
  EXPECT_EQ(a.host, "cache.internal");
  EXPECT_EQ(a.port, 6380);
  EXPECT_EQ(a.db, 2);
  EXPECT_EQ(a.password, "s3cret");
  auto d = redis::parse_redis_url("redis://localhost");
  EXPECT_EQ(d.port, 6379);
  EXPECT_EQ(d.db, 0);
  EXPECT_TRUE(d.password.empty());
}

TEST(RedisEventChannel, DeliversToEverySubscriber) {
  auto address = test_redis();
  if (!address) GTEST_SKIP() << "no Redis (run through ctest)";
  const std::string channel = "sentinel-test-" + std::to_string(::getpid());
  Inbox a, b;
  redis::EventChannel sub_a(*address, channel), sub_b(*address, channel), publisher(*address, channel);
  sub_a.subscribe([&](const std::string& m) { a.add(m); });
  sub_b.subscribe([&](const std::string& m) { b.add(m); });
  EXPECT_TRUE(publisher.ping());
  // Subscriptions are asynchronous: publish until both have seen one.
  std::string binary("event\0with nul", 14);
  for (int i = 0; i < 50 && !(a.wait_for_count(1, 50ms) && b.wait_for_count(1, 0ms)); ++i)
    ASSERT_TRUE(publisher.publish(binary));
  ASSERT_TRUE(a.wait_for_count(1, 2s));
  ASSERT_TRUE(b.wait_for_count(1, 2s));
  EXPECT_EQ(a.messages[0], binary);
  sub_a.stop();
  sub_b.stop();
}

TEST(RedisEventChannel, UnreachableRedisFailsQuicklyAndStopsCleanly) {
  redis::RedisAddress nowhere;
  nowhere.port = 1;
  redis::EventChannel channel(nowhere, "x");
  Inbox inbox;
  channel.subscribe([&](const std::string& m) { inbox.add(m); });
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(channel.publish("lost"));
  EXPECT_FALSE(channel.ping());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  channel.stop();  // joins the retrying subscriber
  EXPECT_TRUE(inbox.messages.empty());
}
