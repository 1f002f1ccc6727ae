#pragma once
// Runs one coroutine to completion on a private io_context (tests only).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

template <class T>
T run_awaitable(boost::asio::awaitable<T> aw) {
  boost::asio::io_context io;
  auto fut = boost::asio::co_spawn(io, std::move(aw), boost::asio::use_future);
  io.run();
  return fut.get();
}
