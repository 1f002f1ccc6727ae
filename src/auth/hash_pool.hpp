#pragma once
// Password hashing (Argon2id: tens of milliseconds and 19 MiB each) on
// threads of its own, with a small bounded queue. A login flood then fills
// this pool and is answered 429 at once, while every other request, the
// WebSockets and the alert engine keep the blocking pool to themselves
// (product.md §7, LOGIN_HASH_CONCURRENCY). Its threads also run at a lower
// CPU priority (nice +10): on a busy machine hashing gets the CPU the event
// loop, the blocking pool and the alert engine leave, instead of an equal
// share of it (measured in bench/abuse).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "core/blocking.hpp"

namespace sentinel::auth {

class HashPool {
 public:
  // `threads` hashes at once (≥ 1), and at most `queue` more waiting.
  HashPool(std::size_t threads, std::size_t queue)
      : capacity_(std::max<std::size_t>(1, threads) + queue), pool_(std::max<std::size_t>(1, threads)) {}
  HashPool(const HashPool&) = delete;
  HashPool& operator=(const HashPool&) = delete;

  // Runs `f` on the pool, or returns nullopt at once when `threads + queue`
  // jobs are already running or waiting (the caller answers 429).
  // Exceptions thrown by `f` propagate. Pass a NAMED callable (see
  // core::BlockingPool::run).
  template <class F>
  boost::asio::awaitable<std::optional<std::invoke_result_t<F&>>> try_run(F&& f) {
    if (admitted_.fetch_add(1) >= capacity_) {
      admitted_.fetch_sub(1);
      co_return std::nullopt;
    }
    const Admitted admitted{admitted_};
    auto job = [&f] {
      lower_this_thread_priority();
      return f();
    };
    co_return co_await pool_.run(std::move(job));
  }

  // Runs `f` on the pool whatever its load, waiting for a thread: for the
  // rare hashing that must not fail under a login flood (an admin setting
  // a password). Still never more than `threads` hashes at once.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> run(F&& f) {
    auto job = [&f] {
      lower_this_thread_priority();
      return f();
    };
    co_return co_await pool_.run(std::move(job));
  }

  static constexpr int thread_nice = 10;

  std::size_t in_use() const { return admitted_.load(); }  // running or queued via try_run
  std::size_t capacity() const { return capacity_; }
  void join() { pool_.join(); }

 private:
  // Once per pool thread (Linux: nice is per thread). Failure changes
  // nothing but the priority, so it is ignored.
  static void lower_this_thread_priority() {
    thread_local const bool lowered =
        ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), thread_nice) == 0;
    (void)lowered;
  }

  struct Admitted {
    std::atomic<std::size_t>& count;
    ~Admitted() { count.fetch_sub(1); }
  };

  const std::size_t capacity_;
  std::atomic<std::size_t> admitted_{0};
  core::BlockingPool pool_;
};

}  // namespace sentinel::auth
