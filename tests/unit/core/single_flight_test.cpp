// SingleFlight: concurrent callers of one key share one task; other keys
// and later calls run their own; failures reach every waiter.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/single_flight.hpp"

namespace {

namespace asio = boost::asio;
using sentinel::core::SingleFlight;

asio::awaitable<int> slow_value(std::atomic<int>& started, int value, int ms) {
  ++started;
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
  co_await t.async_wait(asio::use_awaitable);
  co_return value;
}

asio::awaitable<int> failing(std::atomic<int>& started) {
  ++started;
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(20));
  co_await t.async_wait(asio::use_awaitable);
  throw std::runtime_error("datasource down");
}

void run(asio::io_context& io, int threads) {
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back([&] { io.run(); });
  for (auto& t : pool) t.join();
}

TEST(SingleFlight, ConcurrentCallersOfOneKeyShareOneTask) {
  asio::io_context io;
  SingleFlight<int> flights;
  std::atomic<int> started{0};
  std::vector<int> results;
  std::mutex m;
  for (int i = 0; i < 50; ++i)
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          // Every caller brings its own task; only the first one runs.
          const int v = co_await flights.run("server-1", slow_value(started, 100 + i, 50));
          std::lock_guard lock(m);
          results.push_back(v);
        },
        asio::detached);
  run(io, 2);
  EXPECT_EQ(started.load(), 1);
  ASSERT_EQ(results.size(), 50u);
  for (int v : results) EXPECT_EQ(v, results.front());
  EXPECT_EQ(flights.in_flight(), 0u);
}

asio::awaitable<std::vector<std::string>> slow_strings(std::atomic<int>& started, std::string key) {
  ++started;
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(2));
  co_await t.async_wait(asio::use_awaitable);
  co_return std::vector<std::string>{key + std::string(40, 'x'), key + std::string(80, 'y')};
}

TEST(SingleFlight, HeapOwningResultsUnderManyFlightsOnTwoThreads) {
  // Thousands of short flights on five keys, waiters resumed on both threads:
  // every caller gets an intact copy (with int results a flight freed under
  // its waiters would go unnoticed; these strings live on the heap).
  asio::io_context io;
  SingleFlight<std::vector<std::string>> flights;
  std::atomic<int> started{0}, intact{0};
  constexpr int callers = 4000;
  for (int i = 0; i < callers; ++i)
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          const std::string key = "server-" + std::to_string(i % 5) + std::string(32, 'k');
          auto task = slow_strings(started, key);
          const auto v = co_await flights.run(key, std::move(task));
          if (v.size() == 2 && v[0] == key + std::string(40, 'x') && v[1] == key + std::string(80, 'y')) ++intact;
        },
        asio::detached);
  run(io, 2);
  EXPECT_EQ(intact.load(), callers);
  EXPECT_LT(started.load(), callers);  // coalesced
  EXPECT_EQ(flights.in_flight(), 0u);
}

TEST(SingleFlight, KeysAreIndependentAndLaterCallsRunAgain) {
  asio::io_context io;
  SingleFlight<int> flights;
  std::atomic<int> started{0};
  int a = 0, b = 0, again = 0;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        a = co_await flights.run("a", slow_value(started, 1, 30));
        // The flight is over: a new call starts a new task.
        again = co_await flights.run("a", slow_value(started, 3, 1));
      },
      asio::detached);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { b = co_await flights.run("b", slow_value(started, 2, 30)); },
      asio::detached);
  run(io, 1);
  EXPECT_EQ(started.load(), 3);
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 2);
  EXPECT_EQ(again, 3);
}

TEST(SingleFlight, AFailureReachesEveryWaiter) {
  asio::io_context io;
  SingleFlight<int> flights;
  std::atomic<int> started{0};
  std::atomic<int> failures{0};
  for (int i = 0; i < 5; ++i)
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          try {
            co_await flights.run("k", failing(started));
          } catch (const std::runtime_error& e) {
            if (std::string(e.what()) == "datasource down") ++failures;
          }
        },
        asio::detached);
  run(io, 2);
  EXPECT_EQ(started.load(), 1);
  EXPECT_EQ(failures.load(), 5);
  EXPECT_EQ(flights.in_flight(), 0u);
}

TEST(SingleFlight, WaitersAreReleasedWhenTheLeaderIsDestroyed) {
  // The io_context is destroyed with the leader suspended (a shutdown): its
  // waiters are completed with an error instead of leaking a dangling wait.
  SingleFlight<int> flights;
  std::atomic<int> started{0};
  {
    asio::io_context io;
    for (int i = 0; i < 3; ++i)
      asio::co_spawn(io, [&]() -> asio::awaitable<void> { co_await flights.run("k", slow_value(started, 1, 60000)); },
                     asio::detached);
    io.run_for(std::chrono::milliseconds(20));
    EXPECT_EQ(flights.in_flight(), 1u);
  }
  EXPECT_EQ(started.load(), 1);
  EXPECT_EQ(flights.in_flight(), 0u);
}

}  // namespace
