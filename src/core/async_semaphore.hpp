#pragma once
// At most N holders at a time; the rest wait in arrival order (FIFO), as
// coroutines, without blocking a thread. Used to cap in-flight Prometheus
// queries per process (PROMETHEUS_MAX_CONCURRENCY).
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace sentinel::core {

class AsyncSemaphore {
 public:
  explicit AsyncSemaphore(std::size_t permits) : available_(permits) {}
  AsyncSemaphore(const AsyncSemaphore&) = delete;
  AsyncSemaphore& operator=(const AsyncSemaphore&) = delete;

  // Releases its permit when destroyed.
  class Permit {
   public:
    explicit Permit(AsyncSemaphore* s) : s_(s) {}
    Permit(Permit&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
    Permit& operator=(Permit&&) = delete;
    ~Permit() {
      if (s_) s_->release();
    }

   private:
    AsyncSemaphore* s_;
  };

  // Waits for a permit. Waiters are served strictly in order.
  boost::asio::awaitable<Permit> acquire() {
    {
      std::lock_guard lock(mutex_);
      if (available_ > 0 && waiters_.empty()) {
        --available_;
        co_return Permit(this);
      }
    }
    co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void()>(
        [this](auto handler) {
          auto ex = boost::asio::get_associated_executor(handler);
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          std::unique_lock lock(mutex_);
          // A permit may have been released between the check above and here.
          if (available_ > 0 && waiters_.empty()) {
            --available_;
            lock.unlock();
            boost::asio::post(ex, [h] { (*h)(); });
            return;
          }
          waiters_.emplace_back([h, ex] { boost::asio::post(ex, [h] { (*h)(); }); });
        },
        boost::asio::use_awaitable);
    co_return Permit(this);
  }

  std::size_t waiting() const {
    std::lock_guard lock(mutex_);
    return waiters_.size();
  }

 private:
  // Hands the permit straight to the oldest waiter, if any.
  void release() {
    std::function<void()> next;
    {
      std::lock_guard lock(mutex_);
      if (waiters_.empty()) {
        ++available_;
        return;
      }
      next = std::move(waiters_.front());
      waiters_.pop_front();
    }
    next();
  }

  mutable std::mutex mutex_;
  std::size_t available_;
  std::deque<std::function<void()>> waiters_;
};

}  // namespace sentinel::core
