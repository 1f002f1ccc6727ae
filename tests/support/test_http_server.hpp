#pragma once
// A tiny HTTP/1.1 server and a two-thread event loop for tests of Sentinel's
// own HTTP clients: real sockets on 127.0.0.1, answers chosen by the test.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sentinel::test {

namespace asio = boost::asio;
using asio::ip::tcp;
inline constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

// Answers every request on a kept-alive connection with `respond(request
// head, body)`; `delay` before answering; counts accepted connections.
struct TestServer {
  explicit TestServer(asio::io_context& io) : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io, accept_loop(), asio::detached);
  }
  std::uint16_t port() const { return acceptor.local_endpoint().port(); }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(nothrow);
      if (ec) co_return;
      ++connections;
      asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    asio::streambuf buf;
    for (;;) {
      auto [ec, n] = co_await asio::async_read_until(socket, buf, "\r\n\r\n", nothrow);
      if (ec) co_return;
      std::string head(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + static_cast<std::ptrdiff_t>(n));
      buf.consume(n);
      std::size_t length = 0;
      if (auto p = head.find("Content-Length: "); p != std::string::npos) length = std::stoul(head.substr(p + 16));
      while (buf.size() < length) {
        auto [rec, rn] = co_await asio::async_read(socket, buf, asio::transfer_at_least(1), nothrow);
        if (rec) co_return;
      }
      std::string body(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + static_cast<std::ptrdiff_t>(length));
      buf.consume(length);
      const int now_busy = ++busy;
      for (int seen = max_busy.load(); now_busy > seen && !max_busy.compare_exchange_weak(seen, now_busy);) {
      }
      if (delay.count() > 0) {
        asio::steady_timer t(socket.get_executor(), delay);
        co_await t.async_wait(nothrow);
      }
      --busy;
      const std::string payload = respond(head, body);
      std::string response = "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nX-Test: yes\r\n" + extra_headers +
                             "Content-Length: " + std::to_string(payload.size()) + "\r\n\r\n" + payload;
      if (cut_response_at) response.resize(std::min(response.size(), *cut_response_at));
      auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(response), nothrow);
      if (wec || close_after_response || cut_response_at) co_return;
    }
  }

  tcp::acceptor acceptor;
  std::atomic<int> connections{0};
  std::atomic<int> busy{0};      // requests being answered now
  std::atomic<int> max_busy{0};  // the most at once
  std::string status = "200 OK";
  std::chrono::milliseconds delay{0};
  std::string extra_headers;                     // "Name: value\r\n" lines added to every answer
  bool close_after_response = false;             // close the connection after each answer (an idle timeout)
  std::optional<std::size_t> cut_response_at;    // send only this many bytes of the answer, then close
  std::function<std::string(const std::string&, const std::string&)> respond = [](const std::string& head,
                                                                                  const std::string& body) {
    return head.substr(0, head.find(' ')) + " " + body;  // "METHOD body"
  };
};

// An io_context with two threads, as in production.
struct Loop {
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard{io.get_executor()};
  std::vector<std::thread> threads;
  Loop() {
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
  }
  ~Loop() {
    guard.reset();
    io.stop();
    for (auto& t : threads) t.join();
  }
  template <class T>
  T run(asio::awaitable<T> aw) {
    return asio::co_spawn(io, std::move(aw), asio::use_future).get();
  }
};

}  // namespace sentinel::test
