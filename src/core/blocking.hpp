#pragma once
// Runs blocking work (SQL, Argon2id, libjwt) on a thread pool and resumes the
// awaiting coroutine on its own executor, so an I/O thread never blocks.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>
#include <exception>
#include <optional>
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
  // must not be a temporary there.
  //
  // The coroutine itself moves to a pool thread and back (two posts), which
  // costs less than spawning a second coroutine for the job.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> run(F&& f) {
    using R = std::invoke_result_t<F&>;
    const auto home = co_await boost::asio::this_coro::executor;
    auto to_pool = boost::asio::bind_executor(pool_.get_executor(), boost::asio::use_awaitable);
    co_await boost::asio::post(to_pool);
    std::exception_ptr error;
    std::optional<std::conditional_t<std::is_void_v<R>, bool, R>> result;
    try {
      if constexpr (std::is_void_v<R>) {
        f();
        result.emplace(true);
      } else {
        result.emplace(f());
      }
    } catch (...) {
      error = std::current_exception();
    }
    auto to_home = boost::asio::bind_executor(home, boost::asio::use_awaitable);
    co_await boost::asio::post(to_home);
    if (error) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<R>) co_return std::move(*result);
  }

  boost::asio::thread_pool& pool() { return pool_; }
  void join() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace sentinel::core
