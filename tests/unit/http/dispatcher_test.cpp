#include "http/dispatcher.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "core/error.hpp"
#include "run_awaitable.hpp"

using namespace sentinel::http;

namespace {

struct Fixture {
  Router router;
  Fixture() {
    router.add("GET", "/ok", [](Request&) -> boost::asio::awaitable<Response> {
      Response r;
      r.body = R"({"ok":true})";
      co_return r;
    });
    router.add("GET", "/boom", [](Request&) -> boost::asio::awaitable<Response> {
      throw std::runtime_error("secret internal detail");
      co_return Response{};
    });
    router.add("GET", "/db", [](Request&) -> boost::asio::awaitable<Response> {
      throw sentinel::core::DependencyUnavailable("Database unavailable: connection refused");
      co_return Response{};
    });
    router.add("GET", "/items/{id}", [](Request& q) -> boost::asio::awaitable<Response> {
      Response r;
      r.body = std::string(q.path_param("id").value_or(""));
      co_return r;
    });
  }
  Response call(const Dispatcher& d, std::string method, std::string path, Fields headers = {}) {
    Request req;
    req.method = std::move(method);
    req.path = std::move(path);
    req.headers = std::move(headers);
    return run_awaitable(d.dispatch(req));
  }
};

std::string header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (iequals(k, name)) return v;
  return {};
}

}  // namespace

TEST(Dispatcher, NotFoundAndMethodNotAllowedAreJson) {
  Fixture f;
  Dispatcher d(f.router, {});
  auto nf = f.call(d, "GET", "/missing");
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.body, R"({"detail":"Not Found"})");
  auto mna = f.call(d, "POST", "/ok");
  EXPECT_EQ(mna.status, 405);
  EXPECT_EQ(mna.body, R"({"detail":"Method Not Allowed"})");
  EXPECT_EQ(header(mna, "Allow"), "GET");
}

TEST(Dispatcher, HandlerExceptionIsA500WithoutInternals) {
  Fixture f;
  Dispatcher d(f.router, {});
  auto r = f.call(d, "GET", "/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
}

TEST(Dispatcher, DependencyFailureIsA503NamingIt) {
  Fixture f;
  Dispatcher d(f.router, {});
  auto r = f.call(d, "GET", "/db");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("Database unavailable"), std::string::npos);
}

TEST(Dispatcher, PathParametersReachTheHandler) {
  Fixture f;
  Dispatcher d(f.router, {});
  EXPECT_EQ(f.call(d, "GET", "/items/abc").body, "abc");
}

TEST(Dispatcher, RequestIdIsEchoedOrGenerated) {
  Fixture f;
  Dispatcher d(f.router, {});
  EXPECT_EQ(header(f.call(d, "GET", "/ok", {{"X-Request-ID", "trace-1"}}), "X-Request-ID"), "trace-1");
  const auto generated = header(f.call(d, "GET", "/ok"), "X-Request-ID");
  EXPECT_EQ(generated.size(), 16u);
  EXPECT_NE(generated, header(f.call(d, "GET", "/ok"), "X-Request-ID"));
}

TEST(Dispatcher, NoCorsHeadersWithoutConfiguration) {
  Fixture f;
  Dispatcher d(f.router, {});
  auto r = f.call(d, "GET", "/ok", {{"Origin", "http://a.example"}});
  EXPECT_EQ(header(r, "Access-Control-Allow-Origin"), "");
}

TEST(Dispatcher, CorsAllowsOnlyConfiguredOrigins) {
  Fixture f;
  Dispatcher d(f.router, DispatchOptions{{"http://a.example"}});
  auto ok = f.call(d, "GET", "/ok", {{"Origin", "http://a.example"}});
  EXPECT_EQ(header(ok, "Access-Control-Allow-Origin"), "http://a.example");
  EXPECT_EQ(header(ok, "Vary"), "Origin");
  auto other = f.call(d, "GET", "/ok", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(header(other, "Access-Control-Allow-Origin"), "");
}

TEST(Dispatcher, CorsPreflightAnswersForAllowedOriginOnly) {
  Fixture f;
  Dispatcher d(f.router, DispatchOptions{{"http://a.example"}});
  auto pre = f.call(d, "OPTIONS", "/ok", {{"Origin", "http://a.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(header(pre, "Access-Control-Allow-Methods"), "GET");
  EXPECT_NE(header(pre, "Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
  auto denied =
      f.call(d, "OPTIONS", "/ok", {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(header(denied, "Access-Control-Allow-Origin"), "");
}
