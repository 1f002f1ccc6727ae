// AsyncSemaphore (FIFO, bounded) and when_all (concurrent, ordered results).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "core/async_semaphore.hpp"
#include "core/when_all.hpp"

namespace {

namespace asio = boost::asio;
using sentinel::core::AsyncSemaphore;
using sentinel::core::when_all;

asio::awaitable<void> sleep_ms(int ms) {
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
  co_await t.async_wait(asio::use_awaitable);
}

// Runs 20 workers through a 3-permit semaphore on `threads` threads; returns
// the order in which they got their permit and the most holders at once.
std::pair<std::vector<int>, int> run_workers(int threads) {
  asio::io_context io;
  AsyncSemaphore sem(3);
  std::atomic<int> holders{0};
  int max_holders = 0;
  std::vector<int> order;
  std::mutex m;
  auto worker = [&](int i) -> asio::awaitable<void> {
    auto permit = co_await sem.acquire();
    {
      std::lock_guard lock(m);
      order.push_back(i);
      max_holders = std::max(max_holders, ++holders);
    }
    co_await sleep_ms(5);
    --holders;
  };
  for (int i = 0; i < 20; ++i) asio::co_spawn(io, worker(i), asio::detached);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back([&] { io.run(); });
  for (auto& t : pool) t.join();
  EXPECT_EQ(sem.waiting(), 0u);
  return {order, max_holders};
}

TEST(AsyncSemaphore, NeverMoreHoldersThanPermits) {
  auto [order, max_holders] = run_workers(2);
  EXPECT_EQ(max_holders, 3);
  EXPECT_EQ(order.size(), 20u);
}

TEST(AsyncSemaphore, WaitersAreServedInArrivalOrder) {
  // One thread, so that arrival order is spawn order (with two, two
  // workers reach the semaphore, or record their turn, in either order).
  auto [order, max_holders] = run_workers(1);
  EXPECT_EQ(max_holders, 3);
  ASSERT_EQ(order.size(), 20u);
  for (std::size_t i = 1; i < order.size(); ++i) EXPECT_LT(order[i - 1], order[i]) << i;
}

TEST(WhenAll, RunsConcurrentlyAndKeepsOrder) {
  asio::io_context io;
  auto task = [](int ms, int value) -> asio::awaitable<int> {
    co_await sleep_ms(ms);
    co_return value;
  };
  auto all = [&]() -> asio::awaitable<std::vector<int>> {
    std::vector<asio::awaitable<int>> tasks;
    for (int i = 0; i < 10; ++i) tasks.push_back(task(100 - i * 10, i));
    co_return co_await when_all(std::move(tasks));
  };
  const auto started = std::chrono::steady_clock::now();
  auto fut = asio::co_spawn(io, all(), asio::use_future);
  io.run();
  auto values = fut.get();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
  ASSERT_EQ(values.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(values[static_cast<std::size_t>(i)], i);
}

TEST(WhenAll, EmptyAndExceptions) {
  asio::io_context io;
  auto none = [&]() -> asio::awaitable<std::size_t> {
    auto r = co_await when_all(std::vector<asio::awaitable<int>>{});
    co_return r.size();
  };
  auto f1 = asio::co_spawn(io, none(), asio::use_future);
  auto boom = []() -> asio::awaitable<int> {
    co_await sleep_ms(1);
    throw std::runtime_error("boom");
  };
  auto fine = []() -> asio::awaitable<int> { co_return 1; };
  auto mixed = [&]() -> asio::awaitable<std::size_t> {
    std::vector<asio::awaitable<int>> tasks;
    tasks.push_back(fine());
    tasks.push_back(boom());
    auto r = co_await when_all(std::move(tasks));
    co_return r.size();
  };
  auto f2 = asio::co_spawn(io, mixed(), asio::use_future);
  io.run();
  EXPECT_EQ(f1.get(), 0u);
  EXPECT_THROW(f2.get(), std::runtime_error);
}

}  // namespace
