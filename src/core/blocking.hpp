#pragma once
// Runs blocking work (SQL, Argon2id, libjwt) on a thread pool and resumes the
// awaiting coroutine on its own executor, so an I/O thread never blocks.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace sentinel::core {

class BlockingPool {
 public:
  explicit BlockingPool(std::size_t threads) : pool_(threads) {}
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Exceptions thrown by `f` propagate to the awaiting coroutine.
  //
  // Call it with a NAMED callable: `auto job = [..]{..}; co_await pool.run(std::move(job));`.
  // g++ 12 destroys non-trivial temporaries of a `co_await` full-expression
  // twice (GCC bug 101367 and relatives), so a lambda with owning captures
  // must not be a temporary there; taking `F&&` avoids a by-value parameter.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<std::decay_t<F>&>> run(F&& f) {
    using R = std::invoke_result_t<std::decay_t<F>&>;
    return boost::asio::co_spawn(
        pool_, [fn = std::decay_t<F>(std::forward<F>(f))]() mutable -> boost::asio::awaitable<R> { co_return fn(); },
        boost::asio::use_awaitable);
  }

  boost::asio::thread_pool& pool() { return pool_; }
  void join() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace sentinel::core
