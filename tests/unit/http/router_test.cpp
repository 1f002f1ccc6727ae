#include "http/router.hpp"

#include <gtest/gtest.h>

using namespace sentinel::http;

namespace {

Handler noop() {
  return [](Request&) -> boost::asio::awaitable<Response> { co_return Response{}; };
}

Router make_router() {
  Router r;
  r.add("GET", "/api/v1/servers/", noop());
  r.add("POST", "/api/v1/servers/", noop());
  r.add("GET", "/api/v1/servers/{server_id}", noop());
  r.add("DELETE", "/api/v1/servers/{server_id}", noop());
  r.add("POST", "/api/v1/alerts/events/{event_id}/ack", noop());
  return r;
}

}  // namespace

TEST(Router, MatchesLiteralRouteWithOrWithoutTrailingSlash) {
  auto r = make_router();
  for (const char* path : {"/api/v1/servers/", "/api/v1/servers"}) {
    auto m = r.match("GET", path);
    ASSERT_EQ(m.kind, RouteMatch::Kind::found) << path;
    EXPECT_EQ(m.route->pattern, "/api/v1/servers/");
  }
}

TEST(Router, ExtractsPathParameters) {
  auto r = make_router();
  auto m = r.match("POST", "/api/v1/alerts/events/42/ack");
  ASSERT_EQ(m.kind, RouteMatch::Kind::found);
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].first, "event_id");
  EXPECT_EQ(m.params[0].second, "42");
}

TEST(Router, UnknownPathIsNotFound) {
  auto r = make_router();
  EXPECT_EQ(r.match("GET", "/api/v1/nothing").kind, RouteMatch::Kind::not_found);
  EXPECT_EQ(r.match("GET", "/api/v1/servers/1/extra").kind, RouteMatch::Kind::not_found);
  EXPECT_EQ(r.match("GET", "//api/v1/servers/").kind, RouteMatch::Kind::not_found);
}

TEST(Router, KnownPathWithOtherMethodIsMethodNotAllowedListingAllowed) {
  auto r = make_router();
  auto m = r.match("PUT", "/api/v1/servers/7");
  ASSERT_EQ(m.kind, RouteMatch::Kind::method_not_allowed);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "DELETE"}));
}

TEST(Router, HeadIsServedByGet) {
  auto r = make_router();
  EXPECT_EQ(r.match("HEAD", "/api/v1/servers/7").kind, RouteMatch::Kind::found);
}

TEST(Router, DuplicateRouteIsRejected) {
  Router r;
  r.add("GET", "/a/{id}", noop());
  EXPECT_THROW(r.add("GET", "/a/{id}/", noop()), std::invalid_argument);
}

// The web console's routes: "/{path...}" answers every path no other route
// has, except under a first segment another route uses.
TEST(Router, CatchAllTakesOnlyPathsNoOtherRouteOwns) {
  auto r = make_router();
  r.add("GET", "/metrics", noop());
  r.add("GET", "/docs/{file}", noop());
  r.add("GET", "/assets/{file}", noop());
  r.add("GET", "/{path...}", noop());
  for (const char* path : {"/", "/servers", "/servers/12", "/rules/", "/a/b/c", "/metricsx", "/index.html"}) {
    auto m = r.match("GET", path);
    ASSERT_EQ(m.kind, RouteMatch::Kind::found) << path;
    EXPECT_EQ(m.route->pattern, "/{path...}") << path;
  }
  auto m = r.match("GET", "/servers/12");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"path", "servers/12"}));
  EXPECT_EQ(r.match("HEAD", "/servers").kind, RouteMatch::Kind::found);
  // Owned by other routes: their own answer, or not found.
  EXPECT_EQ(r.match("GET", "/metrics").route->pattern, "/metrics");
  EXPECT_EQ(r.match("GET", "/docs/x.js").route->pattern, "/docs/{file}");
  for (const char* path : {"/api/v1/unknown", "/api", "/metrics/x", "/docs/a/b", "/assets/a/b"})
    EXPECT_EQ(r.match("GET", path).kind, RouteMatch::Kind::not_found) << path;
  // Other methods: 405 where a real route has the path, else 404.
  EXPECT_EQ(r.match("POST", "/servers").kind, RouteMatch::Kind::not_found);
  EXPECT_EQ(r.match("PUT", "/api/v1/servers/7").kind, RouteMatch::Kind::method_not_allowed);
}

TEST(Router, CatchAllMustBeTheLastSegment) {
  Router r;
  EXPECT_THROW(r.add("GET", "/{rest...}/x", noop()), std::invalid_argument);
  r.add("GET", "/files/{rest...}", noop());
  EXPECT_EQ(r.match("GET", "/files").kind, RouteMatch::Kind::found);
  auto m = r.match("GET", "/files/a/b.txt");
  ASSERT_EQ(m.kind, RouteMatch::Kind::found);
  EXPECT_EQ(m.params[0].second, "a/b.txt");
}
