#pragma once
// Password hashing (Argon2id: tens of milliseconds and 19 MiB each) on
// threads of its own, with a small bounded queue. A login flood then fills
// this pool and is answered 429 at once, while every other request, the
// WebSockets and the alert engine keep the blocking pool to themselves
// (product.md §7, LOGIN_HASH_CONCURRENCY). Its threads also run under
// SCHED_IDLE (Linux; no privilege needed): hashing gets only the CPU that the
// event loop, the blocking pool, the alert engine and the rest of the machine
// leave, instead of an equal share of it (bench/abuse measured nice +10 as
// not enough: the alert round took 1.9 x as long during a login flood).
// On a machine busy all the time logins then wait, and past the queue get 429.
#include <pthread.h>
#include <sched.h>

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

  // A place among the `threads + queue`, held from reserve() until the
  // Reservation is destroyed: a caller can refuse (429) before doing any
  // other work for a request that could not be hashed anyway.
  class Reservation {
   public:
    explicit Reservation(std::atomic<std::size_t>& count) : count_(&count) {}
    Reservation(Reservation&& o) noexcept : count_(std::exchange(o.count_, nullptr)) {}
    Reservation& operator=(Reservation&& o) noexcept {
      if (this != &o) {
        release();
        count_ = std::exchange(o.count_, nullptr);
      }
      return *this;
    }
    ~Reservation() { release(); }

   private:
    void release() {
      if (count_) count_->fetch_sub(1);
      count_ = nullptr;
    }
    std::atomic<std::size_t>* count_;
  };

  // nullopt at once when `threads + queue` places are taken.
  std::optional<Reservation> reserve() {
    if (admitted_.fetch_add(1) >= capacity_) {
      admitted_.fetch_sub(1);
      return std::nullopt;
    }
    return std::optional<Reservation>(std::in_place, admitted_);
  }

  // Runs `f` on the pool, or returns nullopt at once when `threads + queue`
  // jobs are already running or waiting (the caller answers 429).
  // Exceptions thrown by `f` propagate. Pass a NAMED callable (see
  // core::BlockingPool::run).
  template <class F>
  boost::asio::awaitable<std::optional<std::invoke_result_t<F&>>> try_run(F&& f) {
    auto place = reserve();
    if (!place) co_return std::nullopt;
    co_return co_await run(std::forward<F>(f));
  }

  // Runs `f` on the pool whatever its load, waiting for a thread: with a
  // Reservation already held, or for the rare hashing that must not fail
  // under a login flood (an admin setting a password). Still never more
  // than `threads` hashes at once.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> run(F&& f) {
    auto job = [&f] {
      lower_this_thread_priority();
      return f();
    };
    co_return co_await pool_.run(std::move(job));
  }


  std::size_t in_use() const { return admitted_.load(); }  // places reserved (try_run, reserve)
  std::size_t capacity() const { return capacity_; }
  void join() { pool_.join(); }

 private:
  // Once per pool thread. Failure changes nothing but the priority, so it
  // is ignored.
  static void lower_this_thread_priority() {
    thread_local const bool lowered = [] {
      sched_param param{};
      param.sched_priority = 0;
      return ::pthread_setschedparam(::pthread_self(), SCHED_IDLE, &param) == 0;
    }();
    (void)lowered;
  }

  const std::size_t capacity_;
  std::atomic<std::size_t> admitted_{0};
  core::BlockingPool pool_;
};

}  // namespace sentinel::auth
