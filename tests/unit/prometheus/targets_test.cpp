// GET /api/v1/targets answers (product.md §10, servers from Prometheus).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "prometheus/targets.hpp"

namespace sentinel::prometheus {
namespace {

TEST(TargetsResponse, ReadsEveryActiveTargetsLabels) {
  const auto body = R"({"status":"success","data":{"activeTargets":[
    {"discoveredLabels":{"__address__":"127.0.0.1:9100"},
     "labels":{"job":"node","instance":"127.0.0.1:9100","env":"prod"},
     "scrapePool":"node","scrapeUrl":"http://127.0.0.1:9100/metrics","health":"up","lastError":""},
    {"labels":{"job":"blackbox","instance":"x:1"},"scrapePool":"bb","health":"down"}],
    "droppedTargets":[]}})";
  auto r = parse_targets_response(200, body);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].job(), "node");
  EXPECT_EQ((*r)[0].instance(), "127.0.0.1:9100");
  EXPECT_EQ((*r)[0].scrape_pool, "node");
  EXPECT_EQ((*r)[0].health, "up");
  EXPECT_EQ((*r)[0].labels, (Labels{{"env", "prod"}, {"instance", "127.0.0.1:9100"}, {"job", "node"}}));  // sorted
  EXPECT_EQ((*r)[1].health, "down");
}

TEST(TargetsResponse, NoTargetsIsAnEmptyList) {
  auto r = parse_targets_response(200, R"({"status":"success","data":{"activeTargets":[],"droppedTargets":[]}})");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(TargetsResponse, AMalformedTargetIsSkippedNotFatal) {
  auto r = parse_targets_response(
      200, R"({"status":"success","data":{"activeTargets":[7,{"labels":{"job":1}},{"labels":{"job":"a","instance":"b:1"}}]}})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].instance(), "b:1");
}

TEST(TargetsResponse, ErrorsAreClassifiedLikeQueries) {
  auto missing = parse_targets_response(200, R"({"status":"success","data":{}})");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, QueryErrorKind::bad_response);

  auto envelope = parse_targets_response(400, R"({"status":"error","errorType":"bad_data","error":"bad state"})");
  ASSERT_FALSE(envelope);
  EXPECT_EQ(envelope.error().kind, QueryErrorKind::bad_data);
  EXPECT_EQ(envelope.error().message, "bad state");

  auto proxy = parse_targets_response(502, "<html>Bad Gateway</html>");
  ASSERT_FALSE(proxy);
  EXPECT_EQ(proxy.error().kind, QueryErrorKind::unavailable);

  auto denied = parse_targets_response(401, "no");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().kind, QueryErrorKind::unauthorized);

  auto garbage = parse_targets_response(200, "not json");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().kind, QueryErrorKind::bad_response);
}

}  // namespace
}  // namespace sentinel::prometheus
