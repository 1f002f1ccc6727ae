// Reading the single summary query's answer back into the summary: every
// metric by its sentinel_metric label, missing ones null, NaN/±Inf null,
// `up` exactly 1, and answers a relabelling datasource could produce
// refused rather than shown as "no data".
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "prometheus/query_catalogue.hpp"
#include "prometheus/result.hpp"
#include "prometheus/summary_result.hpp"

namespace sentinel::prometheus {
namespace {

std::string sample(std::string_view name, std::string_view value) {
  return R"({"metric":{"sentinel_metric":")" + std::string(name) + R"("},"value":[1700000000.5,")" +
         std::string(value) + R"("]})";
}

QueryResult vector_of(const std::vector<std::string>& samples) {
  std::string body = R"({"status":"success","data":{"resultType":"vector","result":[)";
  for (std::size_t i = 0; i < samples.size(); ++i) body += (i ? "," : "") + samples[i];
  body += "]}}";
  auto r = parse_query_response(200, body);
  EXPECT_TRUE(r) << body;
  return r ? *r : QueryResult{};
}

std::size_t index_of(std::string_view key) {
  const auto defs = summary_metrics();
  for (std::size_t i = 0; i < defs.size(); ++i)
    if (defs[i].key == key) return i;
  ADD_FAILURE() << key;
  return 0;
}

TEST(SummaryResult, EveryMetricByItsLabelInAnyOrder) {
  std::vector<std::string> samples;
  const auto defs = summary_metrics();
  // Reverse order, values 1.5, 2.5, ...: position in the answer must not matter.
  for (std::size_t i = defs.size(); i-- > 0;) samples.push_back(sample(defs[i].key, std::to_string(i) + ".5"));
  samples.push_back(sample("up", "1"));
  const auto r = read_summary_result(vector_of(samples));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->up);
  ASSERT_EQ(r->values.size(), defs.size());
  for (std::size_t i = 0; i < defs.size(); ++i) {
    ASSERT_TRUE(r->values[i]) << defs[i].key;
    EXPECT_EQ(*r->values[i], static_cast<double>(i) + 0.5) << defs[i].key;
  }
}

TEST(SummaryResult, MissingMetricsAreNullAndUpNeedsExactlyOne) {
  auto r = read_summary_result(vector_of({sample("load1", "1.5"), sample("up", "1")}));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->up);
  for (std::size_t i = 0; i < r->values.size(); ++i) {
    if (i == index_of("load1")) EXPECT_EQ(r->values[i], 1.5);
    else EXPECT_FALSE(r->values[i]) << summary_metrics()[i].key;
  }
  // A dead target: up is 0. A target Prometheus does not know: no `up` series.
  EXPECT_FALSE(read_summary_result(vector_of({sample("up", "0")}))->up);
  EXPECT_FALSE(read_summary_result(vector_of({}))->up);
  EXPECT_FALSE(read_summary_result(vector_of({sample("up", "0.5")}))->up);
  EXPECT_FALSE(read_summary_result(vector_of({sample("up", "NaN")}))->up);
}

TEST(SummaryResult, NonFiniteValuesAreNull) {
  // MemTotal 0 makes memory_usage_percent NaN (0/0) or -Inf: "no meaningful value".
  const auto r = read_summary_result(vector_of({sample("memory_usage_percent", "NaN"),
                                                sample("disk_usage_percent", "-Inf"),
                                                sample("cpu_usage_percent", "+Inf"), sample("load5", "0")}));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->values[index_of("memory_usage_percent")]);
  EXPECT_FALSE(r->values[index_of("disk_usage_percent")]);
  EXPECT_FALSE(r->values[index_of("cpu_usage_percent")]);
  EXPECT_EQ(r->values[index_of("load5")], 0.0);  // zero is a value, not "no data"
}

TEST(SummaryResult, FirstSeriesOfAMetricWins) {
  const auto r = read_summary_result(vector_of({sample("load1", "0.25"), sample("load1", "9")}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->values[index_of("load1")], 0.25);
}

TEST(SummaryResult, RelabelledOrUnknownSeriesAreABadResponse) {
  const auto unlabelled = vector_of({R"({"metric":{},"value":[1700000000,"1"]})"});
  auto r = read_summary_result(unlabelled);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, QueryErrorKind::bad_response);
  EXPECT_NE(r.error().message.find("sentinel_metric"), std::string::npos);
  r = read_summary_result(vector_of({sample("load1", "1"), sample("load2", "1")}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, QueryErrorKind::bad_response);
  EXPECT_NE(r.error().message.find("load2"), std::string::npos);
}

TEST(SummaryResult, OnlyAVectorIsASummary) {
  auto scalar = parse_query_response(200, R"({"status":"success","data":{"resultType":"scalar","result":[1,"1"]}})");
  ASSERT_TRUE(scalar);
  const auto r = read_summary_result(*scalar);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, QueryErrorKind::bad_response);
}

}  // namespace
}  // namespace sentinel::prometheus
