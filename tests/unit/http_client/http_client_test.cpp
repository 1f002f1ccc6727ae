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
#include "support/test_http_server.hpp"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using sentinel::http_client::FailureKind;
using sentinel::http_client::HttpClient;
using sentinel::http_client::Outcome;
using sentinel::http_client::Request;
using sentinel::test::Loop;
using sentinel::test::TestServer;

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
