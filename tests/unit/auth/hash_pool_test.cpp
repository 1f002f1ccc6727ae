// The password-hashing pool: bounded, refuses at once when full.
#include "auth/hash_pool.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <boost/asio/executor_work_guard.hpp>
#include <future>
#include <stdexcept>
#include <vector>
#include <thread>

using namespace sentinel;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// Starts a job that holds a pool thread (or queue place) until `release` is set.
std::future<std::optional<int>> start_blocked(asio::io_context& io, auth::HashPool& pool,
                                              std::shared_future<void> release) {
  return asio::co_spawn(
      io,
      [&pool, release]() -> asio::awaitable<std::optional<int>> {
        auto job = [release] {
          release.wait();
          return 1;
        };
        co_return co_await pool.try_run(std::move(job));
      },
      asio::use_future);
}

}  // namespace

TEST(HashPool, RefusesAtOnceWhenThreadsAndQueueAreTaken) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::thread runner([&io] { io.run(); });
  auth::HashPool pool(1, 2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::vector<std::future<std::optional<int>>> held;
  for (int i = 0; i < 3; ++i) held.push_back(start_blocked(io, pool, released));  // 1 running + 2 queued
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (pool.in_use() < 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(pool.in_use(), 3u);

  const auto start = std::chrono::steady_clock::now();
  auto refused = start_blocked(io, pool, released);
  ASSERT_EQ(refused.wait_for(1s), std::future_status::ready) << "answered without waiting for the pool";
  EXPECT_FALSE(refused.get());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);

  release.set_value();
  for (auto& f : held) EXPECT_EQ(f.get(), 1);
  EXPECT_EQ(pool.in_use(), 0u);
  auto after = start_blocked(io, pool, released);
  EXPECT_EQ(after.get(), 1) << "room again";
  guard.reset();
  runner.join();
  pool.join();
}

TEST(HashPool, ExceptionsReachTheCallerAndFreeTheSlot) {
  asio::io_context io;
  auth::HashPool pool(1, 0);
  auto f = asio::co_spawn(
      io,
      [&pool]() -> asio::awaitable<std::optional<int>> {
        auto job = []() -> int { throw std::runtime_error("out of memory"); };
        co_return co_await pool.try_run(std::move(job));
      },
      asio::use_future);
  io.run();
  EXPECT_THROW(f.get(), std::runtime_error);
  EXPECT_EQ(pool.in_use(), 0u);
  pool.join();
}

TEST(HashPool, HashesRunOnlyOnIdleCpu) {
  asio::io_context io;
  auth::HashPool pool(1, 0);
  auto f = asio::co_spawn(
      io,
      [&pool]() -> asio::awaitable<std::optional<int>> {
        auto job = [] { return ::sched_getscheduler(0); };
        co_return co_await pool.try_run(std::move(job));
      },
      asio::use_future);
  io.run();
  EXPECT_EQ(f.get(), SCHED_IDLE);
  EXPECT_NE(::sched_getscheduler(0), SCHED_IDLE) << "the caller's thread is left alone";
  pool.join();
}
