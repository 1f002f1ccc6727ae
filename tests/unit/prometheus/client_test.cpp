// prometheus::Client's own behaviour (concurrency limit, request shape,
// error kinds) against a local HTTP server that answers in Prometheus's
// envelope. The real Prometheus is exercised by tests/integration.
#include "prometheus/client.hpp"

#include <gtest/gtest.h>

#include "core/when_all.hpp"
#include "prometheus/errors.hpp"
#include "http_client/http_client.hpp"
#include "support/test_http_server.hpp"
#include "support/transports.hpp"

namespace {

namespace asio = boost::asio;
using sentinel::prometheus::Client;
using sentinel::prometheus::ClientOptions;
using sentinel::prometheus::QueryErrorKind;
using sentinel::prometheus::QueryOutcome;
using sentinel::prometheus::QueryResult;
using sentinel::test::Loop;
using sentinel::test::TestServer;
using sentinel::test::TransportKind;

// Through either transport: the plain-HTTP keep-alive one a http://
// Prometheus gets, and libcurl, which an https:// one gets.
class PrometheusClient : public testing::TestWithParam<TransportKind> {
 protected:
  std::unique_ptr<sentinel::http_client::Transport> transport(Loop& loop, std::uint16_t port) {
    return sentinel::test::make_transport(GetParam(), loop.io.get_executor(), port);
  }
};

constexpr const char* empty_vector = R"({"status":"success","data":{"resultType":"vector","result":[]}})";

ClientOptions options_for(std::uint16_t port, std::size_t concurrency = 16, int timeout_ms = 5000) {
  ClientOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(port) + "/";
  o.max_concurrency = concurrency;
  o.timeout = std::chrono::milliseconds(timeout_ms);
  return o;
}

TEST_P(PrometheusClient, NeverMoreQueriesInFlightThanTheLimit) {
  Loop loop;
  TestServer server(loop.io);
  server.delay = std::chrono::milliseconds(50);
  server.respond = [](const std::string&, const std::string&) { return std::string(empty_vector); };
  auto http = transport(loop, server.port());
  Client client(*http, options_for(server.port(), 3));
  auto all = [&]() -> asio::awaitable<std::vector<QueryOutcome<QueryResult>>> {
    std::vector<asio::awaitable<QueryOutcome<QueryResult>>> tasks;
    for (int i = 0; i < 12; ++i) tasks.push_back(client.instant("up"));
    co_return co_await sentinel::core::when_all(std::move(tasks));
  };
  auto results = loop.run(all());
  for (auto& r : results) ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(server.max_busy.load(), 3);
  EXPECT_LE(server.connections.load(), 3);  // connections are reused, not one per query
}

// The alert engine's client sends through connections of its own event
// loop but shares the API's slots: PROMETHEUS_MAX_CONCURRENCY is per process.
TEST_P(PrometheusClient, ClientsSharingSlotsStayWithinOneLimit) {
  Loop loop;
  TestServer server(loop.io);
  server.delay = std::chrono::milliseconds(50);
  server.respond = [](const std::string&, const std::string&) { return std::string(empty_vector); };
  auto api_http = transport(loop, server.port());
  auto engine_http = transport(loop, server.port());
  Client api(*api_http, options_for(server.port(), 3));
  Client engine(api, *engine_http);
  auto all = [&]() -> asio::awaitable<std::vector<QueryOutcome<QueryResult>>> {
    std::vector<asio::awaitable<QueryOutcome<QueryResult>>> tasks;
    for (int i = 0; i < 12; ++i) tasks.push_back((i % 2 ? api : engine).instant("up"));
    co_return co_await sentinel::core::when_all(std::move(tasks));
  };
  auto results = loop.run(all());
  for (auto& r : results) ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(server.max_busy.load(), 3);
  EXPECT_EQ(engine.options().max_concurrency, 3u);
}

TEST_P(PrometheusClient, SendsTheQueryAsAFormWithADeadlineAndCredentials) {
  Loop loop;
  TestServer server(loop.io);
  std::string seen_head, seen_body;
  std::mutex m;
  server.respond = [&](const std::string& head, const std::string& body) {
    std::lock_guard lock(m);
    seen_head = head;
    seen_body = body;
    return std::string(empty_vector);
  };
  auto http = transport(loop, server.port());
  auto o = options_for(server.port(), 4, 10000);
  o.bearer_token = "s3cret";
  Client client(*http, o);
  ASSERT_TRUE(loop.run(client.instant(R"(up{job="a b"} == 1)", 1700000000.5)));
  std::lock_guard lock(m);
  EXPECT_TRUE(seen_head.starts_with("POST /api/v1/query HTTP/1.1")) << seen_head;
  EXPECT_NE(seen_head.find("Authorization: Bearer s3cret"), std::string::npos);
  EXPECT_NE(seen_head.find("application/x-www-form-urlencoded"), std::string::npos);
  EXPECT_TRUE(seen_body.starts_with("query=up%7Bjob%3D%22a%20b%22%7D%20%3D%3D%201&time=1700000000.500&timeout="))
      << seen_body;
  // Prometheus is asked to stop a little before our own 10 s deadline.
  const auto ms = std::stoi(seen_body.substr(seen_body.find("timeout=") + 8));
  EXPECT_GT(ms, 8000);
  EXPECT_LT(ms, 10000);
}

// snprintf("%.3f") into char[64] returned 304 for 1e300 and the whole 304
// bytes, stack included, went into the request (and Prometheus quoted them back).
TEST_P(PrometheusClient, ExtremeTimesAreSentAsTheirDigitsNotAsStackBytes) {
  Loop loop;
  TestServer server(loop.io);
  std::string seen_body;
  std::mutex m;
  server.respond = [&](const std::string&, const std::string& body) {
    std::lock_guard lock(m);
    seen_body = body;
    return std::string(empty_vector);
  };
  auto http = transport(loop, server.port());
  Client client(*http, options_for(server.port()));
  for (const double at : {1e300, -1e308}) {
    ASSERT_TRUE(loop.run(client.instant("up", at)));
    std::lock_guard lock(m);
    const auto from = seen_body.find("time=") + 5;
    const std::string time = seen_body.substr(from, seen_body.find('&', from) - from);
    // Every digit of the double nearest 1e300 (301 of them), then ".000".
    EXPECT_EQ(time.size(), (at > 0 ? 301u : 310u) + 4u) << time;
    EXPECT_EQ(time.find_first_not_of("-0123456789."), std::string::npos) << time;
    EXPECT_TRUE(time.ends_with(".000")) << time;
    EXPECT_EQ(std::stod(time), at);
  }
}

TEST_P(PrometheusClient, KeepsPrometheusErrorKindsApart) {
  Loop loop;
  TestServer server(loop.io);
  server.status = "400 Bad Request";
  server.respond = [](const std::string&, const std::string&) {
    return std::string(R"({"status":"error","errorType":"bad_data","error":"1:4: parse error: unexpected end of input"})");
  };
  auto http = transport(loop, server.port());
  Client client(*http, options_for(server.port()));
  auto r = loop.run(client.instant("up{"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, QueryErrorKind::bad_data);
  EXPECT_NE(r.error().message.find("parse error"), std::string::npos);
}

// QUERY_MAX_BYTES: an ad-hoc answer over the caller's limit is cut off and
// reported as too large (the API's 422), not parsed; other queries keep the
// general limit.
TEST_P(PrometheusClient, AnAnswerOverTheCallersLimitIsTooLarge) {
  Loop loop;
  TestServer server(loop.io);
  const std::string big = R"({"status":"success","data":{"resultType":"string","result":[0,")" +
                          std::string(200000, 'x') + R"("]}})";
  server.respond = [&](const std::string&, const std::string&) { return big; };
  auto http = transport(loop, server.port());
  Client client(*http, options_for(server.port()));
  auto cut = loop.run(client.instant_data("big", std::nullopt, 64 * 1024));
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().kind, QueryErrorKind::too_large);
  const auto api = sentinel::prometheus::to_api_error(cut.error(), {"query", "query"});
  EXPECT_EQ(api.kind, sentinel::core::ErrorKind::invalid);
  EXPECT_EQ(api.detail, "result too large; narrow the query");
  EXPECT_TRUE(loop.run(client.instant_data("big", std::nullopt, big.size())));
  EXPECT_TRUE(loop.run(client.instant_data("big", std::nullopt)));
}

TEST_P(PrometheusClient, TheDeadlineIncludesTheWaitForASlot) {
  Loop loop;
  TestServer server(loop.io);
  server.delay = std::chrono::milliseconds(400);
  server.respond = [](const std::string&, const std::string&) { return std::string(empty_vector); };
  auto http = transport(loop, server.port());
  Client client(*http, options_for(server.port(), 1, 600));
  auto two = [&]() -> asio::awaitable<std::vector<QueryOutcome<QueryResult>>> {
    std::vector<asio::awaitable<QueryOutcome<QueryResult>>> tasks;
    tasks.push_back(client.instant("first"));
    tasks.push_back(client.instant("second"));  // waits 400 ms for the slot, then has 200 ms left
    co_return co_await sentinel::core::when_all(std::move(tasks));
  };
  const auto started = std::chrono::steady_clock::now();
  auto results = loop.run(two());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
  ASSERT_TRUE(results[0]);
  ASSERT_FALSE(results[1]);
  EXPECT_EQ(results[1].error().kind, QueryErrorKind::timeout);
  // Readiness does not queue behind other queries.
  server.delay = std::chrono::milliseconds(0);
  EXPECT_TRUE(loop.run(client.ping(std::chrono::milliseconds(500))));
}

TEST_P(PrometheusClient, UnreachableAndSlowPrometheus) {
  Loop loop;
  std::uint16_t closed_port;
  {
    boost::asio::ip::tcp::acceptor a(loop.io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    closed_port = a.local_endpoint().port();
  }
  auto down_http = transport(loop, closed_port);
  Client down(*down_http, options_for(closed_port));
  auto r = loop.run(down.instant("up"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, QueryErrorKind::unavailable);

  TestServer server(loop.io);
  server.delay = std::chrono::milliseconds(2000);
  auto slow_http = transport(loop, server.port());
  Client slow(*slow_http, options_for(server.port(), 16, 300));
  const auto started = std::chrono::steady_clock::now();
  r = loop.run(slow.instant("up"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, QueryErrorKind::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1500));
}

INSTANTIATE_TEST_SUITE_P(Both, PrometheusClient, testing::Values(TransportKind::curl, TransportKind::keep_alive),
                         sentinel::test::transport_name);

}  // namespace
