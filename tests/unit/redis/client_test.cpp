// redis::Client against the real redis-server of scripts/test-env: commands
// and replies, and an unreachable Redis failing fast, then pausing.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <unistd.h>

#include "redis/client.hpp"
#include "support/test_env.hpp"

using namespace sentinel;
using namespace std::chrono_literals;

namespace {

std::optional<redis::RedisAddress> test_redis() {
  auto url = sentinel::testing::test_env("REDIS_URL");
  if (!url) return std::nullopt;
  return redis::parse_redis_url(*url);
}

std::string unique_key(const char* what) { return std::string("sentinel-test:") + what + ":" + std::to_string(::getpid()); }

}  // namespace

TEST(RedisClient, CommandsAndReplies) {
  auto address = test_redis();
  if (!address) GTEST_SKIP() << "no Redis (run through ctest)";
  redis::Client client(*address, {});
  const auto key = unique_key("client");
  const std::string binary("a\0b\r\nc", 6);
  auto set = client.command({"SET", key, binary, "PX", "5000"});
  ASSERT_TRUE(set);
  EXPECT_EQ(set->kind, redis::Value::Kind::status);
  auto got = client.command({"GET", key});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->kind, redis::Value::Kind::string);
  EXPECT_EQ(got->text, binary);  // binary safe both ways
  auto n = client.command({"DEL", key});
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, redis::Value::Kind::integer);
  EXPECT_EQ(n->integer, 1);
  auto nil = client.command({"GET", key});
  ASSERT_TRUE(nil);
  EXPECT_EQ(nil->kind, redis::Value::Kind::nil);
  auto array = client.command({"EVAL", "return {1, 'two', {3}}", "0"});
  ASSERT_TRUE(array);
  ASSERT_EQ(array->kind, redis::Value::Kind::array);
  ASSERT_EQ(array->elements.size(), 3u);
  EXPECT_EQ(array->elements[1].text, "two");
  EXPECT_EQ(array->elements[2].elements[0].integer, 3);
  // An error reply is an answer, not an outage.
  auto error = client.command({"NOSUCHCOMMAND"});
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, redis::Value::Kind::error);
  EXPECT_TRUE(client.available());
}

TEST(RedisClient, UnreachableFailsFastThenPauses) {
  redis::RedisAddress nowhere;
  nowhere.port = 1;  // nothing listens: connection refused
  redis::Client client(nowhere, {.timeout = 200ms, .retry_pause = 300ms, .degraded = {}});
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(client.command({"PING"}));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  // Within the pause nothing is tried: the answer is immediate.
  EXPECT_FALSE(client.available());
  EXPECT_FALSE(client.command({"PING"}));
  std::this_thread::sleep_for(350ms);
  EXPECT_TRUE(client.available());  // the pause is over: the next command tries again
}
