// HttpClient against a tiny HTTP/1.1 server in the test process: real
// sockets on 127.0.0.1, no mocks.
#include "http_client/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <atomic>
#include <istream>
#include <string>
#include <thread>
#include <vector>

#include "core/when_all.hpp"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using sentinel::http_client::FailureKind;
using sentinel::http_client::HttpClient;
using sentinel::http_client::Outcome;
using sentinel::http_client::Request;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

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
      if (delay.count() > 0) {
        asio::steady_timer t(socket.get_executor(), delay);
        co_await t.async_wait(nothrow);
      }
      const std::string payload = respond(head, body);
      std::string response = "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nX-Test: yes\r\nContent-Length: " +
                             std::to_string(payload.size()) + "\r\n\r\n" + payload;
      auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(response), nothrow);
      if (wec) co_return;
    }
  }

  tcp::acceptor acceptor;
  std::atomic<int> connections{0};
  std::string status = "200 OK";
  std::chrono::milliseconds delay{0};
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

Request get(std::uint16_t port, std::string path = "/") {
  Request r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + path;
  r.timeout = std::chrono::milliseconds(5000);
  return r;
}

TEST(HttpClient, GetAndPostWithHeaders) {
  Loop loop;
  TestServer server(loop.io);
  HttpClient client(loop.io.get_executor());
  auto r = loop.run(client.send(get(server.port())));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET ");
  EXPECT_EQ(r->header("x-test"), "yes");

  auto post = get(server.port());
  post.method = "POST";
  post.body = std::string(5000, 'x');  // over 1 KiB: no "Expect: 100-continue" stall
  const auto started = std::chrono::steady_clock::now();
  r = loop.run(client.send(post));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "POST " + std::string(5000, 'x'));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
}

TEST(HttpClient, ErrorStatusIsAResponseNotAFailure) {
  Loop loop;
  TestServer server(loop.io);
  server.status = "503 Service Unavailable";
  HttpClient client(loop.io.get_executor());
  auto r = loop.run(client.send(get(server.port())));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
}

TEST(HttpClient, KeepsConnectionsAlive) {
  Loop loop;
  TestServer server(loop.io);
  HttpClient client(loop.io.get_executor());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(loop.run(client.send(get(server.port()))));
  EXPECT_EQ(server.connections.load(), 1);
}

TEST(HttpClient, ConnectionRefusedIsConnectFailure) {
  Loop loop;
  std::uint16_t closed_port;
  {
    tcp::acceptor a(loop.io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed_port = a.local_endpoint().port();
  }
  HttpClient client(loop.io.get_executor());
  auto r = loop.run(client.send(get(closed_port)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::connect);
  EXPECT_FALSE(r.error().message.empty());
}

TEST(HttpClient, SlowServerTimesOut) {
  Loop loop;
  TestServer server(loop.io);
  server.delay = std::chrono::milliseconds(3000);
  HttpClient client(loop.io.get_executor());
  auto req = get(server.port());
  req.timeout = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  auto r = loop.run(client.send(req));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::timeout);
  EXPECT_GE(took, std::chrono::milliseconds(250));
  EXPECT_LT(took, std::chrono::milliseconds(2000));
}

TEST(HttpClient, ResponseLargerThanTheLimitFails) {
  Loop loop;
  TestServer server(loop.io);
  server.respond = [](const std::string&, const std::string&) { return std::string(200000, 'y'); };
  HttpClient client(loop.io.get_executor());
  auto req = get(server.port());
  req.max_response_bytes = 100000;
  auto r = loop.run(client.send(req));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::too_large);
}

TEST(HttpClient, ManyConcurrentRequestsAllComplete) {
  Loop loop;
  TestServer server(loop.io);
  server.delay = std::chrono::milliseconds(100);
  HttpClient client(loop.io.get_executor());
  const auto started = std::chrono::steady_clock::now();
  auto all = [&]() -> asio::awaitable<std::vector<Outcome>> {
    std::vector<asio::awaitable<Outcome>> tasks;
    for (int i = 0; i < 100; ++i) tasks.push_back(client.send(get(server.port(), "/" + std::to_string(i))));
    co_return co_await sentinel::core::when_all(std::move(tasks));
  };
  auto results = loop.run(all());
  ASSERT_EQ(results.size(), 100u);
  for (auto& r : results) ASSERT_TRUE(r) << r.error().message;
  // Concurrent, not one after the other (100 × 100 ms = 10 s).
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
}

TEST(HttpClient, BasicAuthIsSent) {
  Loop loop;
  TestServer server(loop.io);
  server.respond = [](const std::string& head, const std::string&) {
    auto p = head.find("Authorization: ");
    return p == std::string::npos ? std::string("none") : head.substr(p, head.find("\r\n", p) - p);
  };
  HttpClient client(loop.io.get_executor());
  auto req = get(server.port());
  req.username = "user";
  req.password = "pa:ss";
  auto r = loop.run(client.send(req));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "Authorization: Basic dXNlcjpwYTpzcw==");
}

TEST(HttpClient, ShutdownFailsPendingRequests) {
  Loop loop;
  TestServer server(loop.io);
  server.delay = std::chrono::milliseconds(5000);
  HttpClient client(loop.io.get_executor());
  auto fut = asio::co_spawn(loop.io, client.send(get(server.port())), asio::use_future);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  client.shutdown();
  ASSERT_EQ(fut.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  auto r = fut.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::aborted);
}

}  // namespace
