#pragma once
// Coalesces concurrent calls for one key: the first caller runs its task,
// every caller that arrives while it runs waits for that task's result (a
// copy) instead of running its own. Nothing is kept once the task is over:
// this is not a cache, it only stops a stampede (when a cached summary
// expires, a hundred waiting requests make one Prometheus query, not a
// hundred). Waiters are coroutines; no thread blocks.
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sentinel::core {

template <class T>
class SingleFlight {
 public:
  SingleFlight() = default;
  SingleFlight(const SingleFlight&) = delete;
  SingleFlight& operator=(const SingleFlight&) = delete;

  // Runs `task` unless a task for `key` is running; then `task` is dropped
  // unstarted (awaitables are lazy) and this waits for the running one. An
  // exception from the task reaches every caller.
  //
  // Every argument of a call inside a co_await here is a reference or moved
  // from: g++ 12 destroys the temporaries of a co_await full-expression twice
  // (GCC bug 101367), which for a shared_ptr copy would free the flight
  // under its waiters.
  boost::asio::awaitable<T> run(const std::string& key, boost::asio::awaitable<T> task) {
    std::shared_ptr<Flight> flight;
    bool leader = false;
    {
      std::lock_guard lock(mutex_);
      auto& slot = flights_[key];
      if (!slot) {
        slot = std::make_shared<Flight>();
        leader = true;
      }
      flight = slot;
    }
    if (leader) co_await lead(key, flight, std::move(task));
    co_return co_await wait(flight);
  }

  // Keys with a task running (for tests).
  std::size_t in_flight() const {
    std::lock_guard lock(mutex_);
    return flights_.size();
  }

 private:
  struct Flight {
    std::mutex mutex;
    bool done = false;
    std::optional<T> value;  // set once, before done; read-only afterwards
    std::exception_ptr error;
    std::vector<std::function<void()>> waiters;
  };

  // Publishes the outcome to the waiters; new callers start their own task from then on.
  void land(const std::string& key, const std::shared_ptr<Flight>& flight, std::optional<T> value,
            std::exception_ptr error) {
    {
      std::lock_guard lock(mutex_);
      if (auto it = flights_.find(key); it != flights_.end() && it->second == flight) flights_.erase(it);
    }
    std::vector<std::function<void()>> waiters;
    {
      std::lock_guard lock(flight->mutex);
      flight->value = std::move(value);
      flight->error = error;
      flight->done = true;
      waiters.swap(flight->waiters);
    }
    for (auto& w : waiters) w();
  }

  // Lands the flight even if the leader's coroutine is destroyed mid-task
  // (shutdown), so that no waiter waits forever.
  struct AbandonGuard {
    SingleFlight* owner;
    const std::string& key;
    const std::shared_ptr<Flight>& flight;
    bool landed = false;
    ~AbandonGuard() {
      if (!landed) owner->land(key, flight, std::nullopt, std::make_exception_ptr(std::runtime_error("abandoned")));
    }
  };

  boost::asio::awaitable<void> lead(const std::string& key, const std::shared_ptr<Flight>& flight,
                                    boost::asio::awaitable<T>&& task) {
    AbandonGuard guard{this, key, flight};
    std::optional<T> value;
    std::exception_ptr error;
    try {
      value.emplace(co_await std::move(task));
    } catch (...) {
      error = std::current_exception();
    }
    guard.landed = true;
    land(key, flight, std::move(value), error);
  }

  static boost::asio::awaitable<T> wait(const std::shared_ptr<Flight>& flight) {
    namespace asio = boost::asio;
    bool done = false;
    {
      std::lock_guard lock(flight->mutex);
      done = flight->done;
    }
    if (!done)
      co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
          [&flight](auto handler) {
            auto ex = asio::get_associated_executor(handler);
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            auto resume = [h, ex] { asio::post(ex, [h] { (*h)(); }); };
            std::unique_lock lock(flight->mutex);
            if (!flight->done) {
              flight->waiters.emplace_back(std::move(resume));
              return;
            }
            lock.unlock();
            resume();
          },
          asio::use_awaitable);
    if (flight->error) std::rethrow_exception(flight->error);
    co_return *flight->value;
  }

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace sentinel::core
