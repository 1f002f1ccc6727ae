#pragma once
// Runs coroutines concurrently and waits for all of them: the summary's ten
// queries take as long as the slowest one, not their sum.
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace sentinel::core {

// Results are in the order of `tasks`. If a task throws, the first exception
// is rethrown once every task has finished.
template <class T>
boost::asio::awaitable<std::vector<T>> when_all(std::vector<boost::asio::awaitable<T>> tasks) {
  namespace asio = boost::asio;
  if (tasks.empty()) co_return std::vector<T>{};
  struct State {
    std::mutex mutex;
    std::vector<std::optional<T>> results;
    std::size_t remaining = 0;
    std::exception_ptr error;
    std::function<void()> complete;
  };
  auto state = std::make_shared<State>();
  state->results.resize(tasks.size());
  state->remaining = tasks.size();
  const auto ex = co_await asio::this_coro::executor;
  auto init = [&tasks, state, ex](auto handler) {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    auto hex = asio::get_associated_executor(*h);
    state->complete = [h, hex] { asio::post(hex, [h] { (*h)(); }); };
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      asio::co_spawn(ex, std::move(tasks[i]), [state, i](std::exception_ptr e, T value) {
        std::function<void()> done;
        {
          std::lock_guard lock(state->mutex);
          if (e) {
            if (!state->error) state->error = e;
          } else {
            state->results[i].emplace(std::move(value));
          }
          if (--state->remaining == 0) done = std::move(state->complete);
        }
        if (done) done();
      });
    }
  };
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(std::move(init), asio::use_awaitable);
  if (state->error) std::rethrow_exception(state->error);
  std::vector<T> out;
  out.reserve(state->results.size());
  for (auto& r : state->results) out.push_back(std::move(*r));
  co_return out;
}

}  // namespace sentinel::core
