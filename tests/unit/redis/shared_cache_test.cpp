// Metric snapshots in Redis: what one process puts, another gets, until the
// TTL; an unreachable Redis is a miss, answered without leaving the loop.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <unistd.h>

#include "core/blocking.hpp"
#include "redis/client.hpp"
#include "redis/shared_cache.hpp"
#include "support/test_env.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

std::optional<redis::RedisAddress> test_redis() {
  auto url = sentinel::testing::test_env("REDIS_URL");
  if (!url) return std::nullopt;
  return redis::parse_redis_url(*url);
}

std::optional<std::string> get(redis::SharedCache& cache, const std::string& key) {
  asio::io_context io;
  auto f = asio::co_spawn(io, cache.get(key), asio::use_future);
  io.run();
  return f.get();
}

bool claim(redis::SharedCache& cache, const std::string& key, std::chrono::milliseconds ttl) {
  asio::io_context io;
  auto f = asio::co_spawn(io, cache.claim(key, ttl), asio::use_future);
  io.run();
  return f.get();
}

}  // namespace

// One process of many takes a periodic fetch; the claim lapses by itself.
TEST(RedisSharedCache, OneClaimWinsUntilItLapses) {
  auto address = test_redis();
  if (!address) GTEST_SKIP() << "no Redis (run through ctest)";
  core::BlockingPool pool(2);
  redis::Client client_a(*address, {}), client_b(*address, {});
  redis::SharedCache a(client_a, pool), b(client_b, pool);
  const std::string key = "sentinel-test:claim:" + std::to_string(::getpid());
  EXPECT_TRUE(claim(a, key, 300ms));
  EXPECT_FALSE(claim(b, key, 300ms));
  EXPECT_FALSE(claim(a, key, 300ms));  // not re-entrant: one fetch per claim
  std::this_thread::sleep_for(400ms);
  EXPECT_TRUE(claim(b, key, 300ms));
  pool.join();
}

TEST(RedisSharedCache, WhatOneProcessPutsTheOtherGetsUntilTheTtl) {
  auto address = test_redis();
  if (!address) GTEST_SKIP() << "no Redis (run through ctest)";
  core::BlockingPool pool(2);
  redis::Client client_a(*address, {}), client_b(*address, {});
  redis::SharedCache a(client_a, pool), b(client_b, pool);
  const std::string key = "sentinel-test:snapshot:" + std::to_string(::getpid());
  EXPECT_FALSE(get(b, key));
  a.put(key, "{\"up\":true}", 400ms);
  std::optional<std::string> seen;
  for (int i = 0; i < 50 && !seen; ++i) {  // put() writes in the background
    std::this_thread::sleep_for(5ms);
    seen = get(b, key);
  }
  EXPECT_EQ(seen, "{\"up\":true}");
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(get(b, key));  // expired in Redis
  pool.join();
}

TEST(RedisSharedCache, UnreachableRedisIsAMiss) {
  redis::RedisAddress nowhere;
  nowhere.port = 1;
  core::BlockingPool pool(1);
  redis::Client client(nowhere, {.timeout = 200ms, .retry_pause = 10s, .degraded = {}});
  redis::SharedCache cache(client, pool);
  EXPECT_FALSE(get(cache, "k"));  // tries, fails, pauses
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(get(cache, "k"));  // within the pause: no Redis call at all
  EXPECT_TRUE(claim(cache, "k", 1s));  // nobody to coordinate with: go ahead
  cache.put("k", "v", 1s);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 50ms);
  pool.join();
}
