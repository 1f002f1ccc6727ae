// Both outbound HTTP transports (libcurl's HttpClient, Beast's
// KeepAliveClient) against a tiny HTTP/1.1 server in the test process: real
// sockets on 127.0.0.1, no mocks. What they share runs against each.
#include "http_client/http_client.hpp"
#include "http_client/keep_alive_client.hpp"

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
#include "support/transports.hpp"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using sentinel::http_client::FailureKind;
using sentinel::http_client::HttpClient;
using sentinel::http_client::Outcome;
using sentinel::http_client::Request;
using sentinel::http_client::Transport;
using sentinel::test::Loop;
using sentinel::test::TestServer;
using sentinel::test::TransportKind;

class Transports : public testing::TestWithParam<TransportKind> {
 protected:
  std::unique_ptr<Transport> client_for(Loop& loop, std::uint16_t port) {
    return sentinel::test::make_transport(GetParam(), loop.io.get_executor(), port);
  }
};

Request get(std::uint16_t port, std::string path = "/") {
  Request r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + path;
  r.timeout = std::chrono::milliseconds(5000);
  return r;
}

TEST_P(Transports, GetAndPostWithHeaders) {
  Loop loop;
  TestServer server(loop.io);
  auto client = client_for(loop, server.port());
  auto r = loop.run(client->send(get(server.port())));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET ");
  EXPECT_EQ(r->header("x-test"), "yes");

  auto post = get(server.port());
  post.method = "POST";
  post.body = std::string(5000, 'x');  // over 1 KiB: no "Expect: 100-continue" stall
  const auto started = std::chrono::steady_clock::now();
  r = loop.run(client->send(post));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "POST " + std::string(5000, 'x'));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
}

TEST_P(Transports, ErrorStatusIsAResponseNotAFailure) {
  Loop loop;
  TestServer server(loop.io);
  server.status = "503 Service Unavailable";
  auto client = client_for(loop, server.port());
  auto r = loop.run(client->send(get(server.port())));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
}

TEST_P(Transports, KeepsConnectionsAlive) {
  Loop loop;
  TestServer server(loop.io);
  auto client = client_for(loop, server.port());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(loop.run(client->send(get(server.port()))));
  EXPECT_EQ(server.connections.load(), 1);
}

TEST_P(Transports, ConnectionRefusedIsConnectFailure) {
  Loop loop;
  std::uint16_t closed_port;
  {
    tcp::acceptor a(loop.io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed_port = a.local_endpoint().port();
  }
  auto client = client_for(loop, closed_port);
  auto r = loop.run(client->send(get(closed_port)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::connect);
  EXPECT_FALSE(r.error().message.empty());
}

TEST_P(Transports, SlowServerTimesOut) {
  Loop loop;
  TestServer server(loop.io);
  server.delay = std::chrono::milliseconds(3000);
  auto client = client_for(loop, server.port());
  auto req = get(server.port());
  req.timeout = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  auto r = loop.run(client->send(req));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::timeout);
  EXPECT_GE(took, std::chrono::milliseconds(250));
  EXPECT_LT(took, std::chrono::milliseconds(2000));
  // The next request is answered: the timed-out one left nothing behind.
  server.delay = std::chrono::milliseconds(0);
  r = loop.run(client->send(get(server.port())));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->body, "GET ");
}

TEST_P(Transports, ResponseLargerThanTheLimitFails) {
  Loop loop;
  TestServer server(loop.io);
  server.respond = [](const std::string&, const std::string&) { return std::string(200000, 'y'); };
  auto client = client_for(loop, server.port());
  auto req = get(server.port());
  req.max_response_bytes = 100000;
  auto r = loop.run(client->send(req));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::too_large);
}

TEST_P(Transports, ManyConcurrentRequestsAllComplete) {
  Loop loop;
  TestServer server(loop.io);
  server.delay = std::chrono::milliseconds(100);
  auto client = client_for(loop, server.port());
  const auto started = std::chrono::steady_clock::now();
  auto all = [&]() -> asio::awaitable<std::vector<Outcome>> {
    std::vector<asio::awaitable<Outcome>> tasks;
    for (int i = 0; i < 100; ++i) tasks.push_back(client->send(get(server.port(), "/" + std::to_string(i))));
    co_return co_await sentinel::core::when_all(std::move(tasks));
  };
  auto results = loop.run(all());
  ASSERT_EQ(results.size(), 100u);
  for (auto& r : results) ASSERT_TRUE(r) << r.error().message;
  // Concurrent, not one after the other (100 × 100 ms = 10 s).
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
}

TEST_P(Transports, BasicAuthIsSent) {
  Loop loop;
  TestServer server(loop.io);
  server.respond = [](const std::string& head, const std::string&) {
    auto p = head.find("Authorization: ");
    return p == std::string::npos ? std::string("none") : head.substr(p, head.find("\r\n", p) - p);
  };
  auto client = client_for(loop, server.port());
  auto req = get(server.port());
  req.username = "user";
  req.password = "pa:ss";
  auto r = loop.run(client->send(req));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "Authorization: Basic dXNlcjpwYTpzcw==");
}

TEST_P(Transports, ShutdownFailsPendingRequests) {
  Loop loop;
  TestServer server(loop.io);
  server.delay = std::chrono::milliseconds(5000);
  auto client = client_for(loop, server.port());
  auto fut = asio::co_spawn(loop.io, client->send(get(server.port())), asio::use_future);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  client->shutdown();
  ASSERT_EQ(fut.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  auto r = fut.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::aborted);
}

TEST_P(Transports, AServerThatClosesIdleConnectionsCostsNoFailedRequest) {
  // Each answer ends its connection, as a server's idle timeout or restart
  // does between requests: the next request finds its kept-alive connection
  // closed and is sent again on a new one.
  Loop loop;
  TestServer server(loop.io);
  server.close_after_response = true;
  auto client = client_for(loop, server.port());
  for (int i = 0; i < 5; ++i) {
    auto r = loop.run(client->send(get(server.port())));
    ASSERT_TRUE(r) << "request " << i << ": " << r.error().message;
    EXPECT_EQ(r->body, "GET ");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the close reaches the client first
  }
  EXPECT_EQ(server.connections.load(), 5);
}

TEST_P(Transports, ConnectionCloseIsHonoured) {
  Loop loop;
  TestServer server(loop.io);
  server.extra_headers = "Connection: close\r\n";
  server.close_after_response = true;
  auto client = client_for(loop, server.port());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(loop.run(client->send(get(server.port()))));
  EXPECT_EQ(server.connections.load(), 3);
}

TEST_P(Transports, AnAnswerCutShortIsAFailureNotARetry) {
  Loop loop;
  TestServer server(loop.io);
  server.respond = [](const std::string&, const std::string&) { return std::string(1000, 'z'); };
  server.cut_response_at = 200;  // the head and part of the body
  auto client = client_for(loop, server.port());
  auto r = loop.run(client->send(get(server.port())));
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.error().message.empty());
  EXPECT_EQ(server.connections.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Both, Transports, testing::Values(TransportKind::curl, TransportKind::keep_alive),
                         sentinel::test::transport_name);

// --- KeepAliveClient's own ----------------------------------------------

using sentinel::http_client::KeepAliveClient;
using sentinel::http_client::plain_http_origin;

TEST(PlainHttpOrigin, AcceptsPlainHttpUrlsOnly) {
  auto o = plain_http_origin("http://prometheus:9090/prefix/");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->host, "prometheus");
  EXPECT_EQ(o->port, "9090");
  EXPECT_EQ(o->authority, "prometheus:9090");
  o = plain_http_origin("HTTP://10.0.0.5");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->port, "80");
  o = plain_http_origin("http://[::1]:9090");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->host, "::1");
  EXPECT_EQ(o->authority, "[::1]:9090");
  EXPECT_FALSE(plain_http_origin("https://prometheus:9090"));
  EXPECT_FALSE(plain_http_origin("http://user:secret@prometheus:9090"));  // credentials: HttpClient
  EXPECT_FALSE(plain_http_origin("http://:9090"));
  EXPECT_FALSE(plain_http_origin("http://prometheus:99999"));
  EXPECT_FALSE(plain_http_origin("http://prometheus:90a"));
  EXPECT_FALSE(plain_http_origin("ftp://prometheus"));
}

TEST(KeepAliveClient, SendsTheTargetAndHostOfTheUrlAndNothingElsewhere) {
  Loop loop;
  TestServer server(loop.io);
  server.respond = [](const std::string& head, const std::string&) { return head.substr(0, head.find("\r\n\r\n")); };
  KeepAliveClient client(loop.io.get_executor(), *plain_http_origin("http://127.0.0.1:" + std::to_string(server.port())));
  auto r = loop.run(client.send(get(server.port(), "/api/v1/query?x=1#frag")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->body.starts_with("GET /api/v1/query?x=1 HTTP/1.1\r\n")) << r->body;
  EXPECT_NE(r->body.find("Host: 127.0.0.1:" + std::to_string(server.port())), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("Accept-Encoding"), std::string::npos) << "answers are not decompressed: never ask for gzip";

  Request elsewhere = get(server.port());
  elsewhere.url = "http://127.0.0.2:" + std::to_string(server.port()) + "/";
  r = loop.run(client.send(elsewhere));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::other);
  elsewhere.url = "http://127.0.0.1:" + std::to_string(server.port()) + "0/";  // a longer port, same prefix
  r = loop.run(client.send(elsewhere));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::other);
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST(KeepAliveClient, DestroyedWhileARequestIsUnderWay) {
  Loop loop;
  TestServer server(loop.io);
  server.delay = std::chrono::milliseconds(5000);
  auto client = std::make_unique<KeepAliveClient>(
      loop.io.get_executor(), *plain_http_origin("http://127.0.0.1:" + std::to_string(server.port())));
  auto fut = asio::co_spawn(loop.io, client->send(get(server.port())), asio::use_future);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  client.reset();  // shuts down: the request ends, and touches nothing of the client
  ASSERT_EQ(fut.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  auto r = fut.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, FailureKind::aborted);
}

}  // namespace
