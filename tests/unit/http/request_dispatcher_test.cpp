#include "http/request_dispatcher.hpp"

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
  Response call(const RequestDispatcher& d, std::string method, std::string path, Fields headers = {}) {
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

TEST(RequestDispatcher, NotFoundAndMethodNotAllowedAreJson) {
  Fixture f;
  RequestDispatcher d(f.router, {});
  auto nf = f.call(d, "GET", "/missing");
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(nf.body, R"({"detail":"Not Found"})");
  auto mna = f.call(d, "POST", "/ok");
  EXPECT_EQ(mna.status, 405);
  EXPECT_EQ(mna.body, R"({"detail":"Method Not Allowed"})");
  EXPECT_EQ(header(mna, "Allow"), "GET");
}

TEST(RequestDispatcher, HandlerExceptionIsA500WithoutInternals) {
  Fixture f;
  RequestDispatcher d(f.router, {});
  auto r = f.call(d, "GET", "/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
}

TEST(RequestDispatcher, DependencyFailureIsA503NamingIt) {
  Fixture f;
  RequestDispatcher d(f.router, {});
  auto r = f.call(d, "GET", "/db");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("Database unavailable"), std::string::npos);
}

TEST(RequestDispatcher, PathParametersReachTheHandler) {
  Fixture f;
  RequestDispatcher d(f.router, {});
  EXPECT_EQ(f.call(d, "GET", "/items/abc").body, "abc");
}

TEST(RequestDispatcher, RequestIdIsEchoedOrGenerated) {
  Fixture f;
  RequestDispatcher d(f.router, {});
  EXPECT_EQ(header(f.call(d, "GET", "/ok", {{"X-Request-ID", "trace-1"}}), "X-Request-ID"), "trace-1");
  const auto generated = header(f.call(d, "GET", "/ok"), "X-Request-ID");
  EXPECT_EQ(generated.size(), 16u);
  EXPECT_NE(generated, header(f.call(d, "GET", "/ok"), "X-Request-ID"));
}

TEST(RequestDispatcher, NoCorsHeadersWithoutConfiguration) {
  Fixture f;
  RequestDispatcher d(f.router, {});
  auto r = f.call(d, "GET", "/ok", {{"Origin", "http://a.example"}});
  EXPECT_EQ(header(r, "Access-Control-Allow-Origin"), "");
}

TEST(RequestDispatcher, CorsAllowsOnlyConfiguredOrigins) {
  Fixture f;
  RequestDispatcher d(f.router, DispatchOptions{{"http://a.example"}});
  auto ok = f.call(d, "GET", "/ok", {{"Origin", "http://a.example"}});
  EXPECT_EQ(header(ok, "Access-Control-Allow-Origin"), "http://a.example");
  EXPECT_EQ(header(ok, "Vary"), "Origin");
  auto other = f.call(d, "GET", "/ok", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(header(other, "Access-Control-Allow-Origin"), "");
}

TEST(RequestDispatcher, CorsPreflightAnswersForAllowedOriginOnly) {
  Fixture f;
  RequestDispatcher d(f.router, DispatchOptions{{"http://a.example"}});
  auto pre = f.call(d, "OPTIONS", "/ok", {{"Origin", "http://a.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(header(pre, "Access-Control-Allow-Methods"), "GET");
  EXPECT_NE(header(pre, "Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
  auto denied =
      f.call(d, "OPTIONS", "/ok", {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(header(denied, "Access-Control-Allow-Origin"), "");
}

// A protected route (role > 0 in the route table) whose handler answers
// without going through the access check is a bug: it answers 500, never
// the handler's 200, so a forgotten check cannot open a route.
TEST(RequestDispatcher, AProtectedRouteThatSkippedTheAccessCheckAnswers500) {
  Router router;
  auto ok = [](Request&) -> boost::asio::awaitable<Response> {
    Response r;
    r.body = R"({"secret":"data"})";
    co_return r;
  };
  auto checked = [](Request& q) -> boost::asio::awaitable<Response> {
    q.access_checked = true;  // what api/authenticated.hpp does
    Response r;
    r.body = R"({"ok":true})";
    co_return r;
  };
  router.add("GET", "/open", ok, 0);
  router.add("GET", "/forgot", ok, 1);
  router.add("GET", "/guarded", checked, 3);
  RequestDispatcher d(router, {});
  Fixture f;
  EXPECT_EQ(f.call(d, "GET", "/open").status, 200);
  auto forgot = f.call(d, "GET", "/forgot");
  EXPECT_EQ(forgot.status, 500);
  EXPECT_EQ(forgot.body.find("secret"), std::string::npos);
  EXPECT_EQ(f.call(d, "GET", "/guarded").status, 200);
}
