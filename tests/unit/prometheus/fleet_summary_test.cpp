// The fleet summary: the catalogue's expressions for every target at once,
// reading the answer back per (job, instance), the shared-cache form, and
// mapping targets to servers exactly as the single summary would.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "prometheus/fleet_metrics.hpp"
#include "prometheus/query_catalogue.hpp"
#include "prometheus/result.hpp"
#include "prometheus/summary_result.hpp"
#include "prometheus/summary_snapshot.hpp"

namespace sentinel::prometheus {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::size_t count(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(FleetSummaryQuery, AggregatesEveryMetricByInstanceAndJob) {
  const std::vector<std::string> jobs{"node"};
  const auto q = fleet_summary_query(jobs);
  EXPECT_THAT(q, Not(HasSubstr("$")));
  EXPECT_THAT(q, Not(HasSubstr("instance=")));
  // up and the nine metrics, each tagged; every aggregation keeps the target.
  EXPECT_EQ(count(q, "label_replace("), summary_metrics().size() + 1);
  EXPECT_EQ(count(q, "avg(") + count(q, "max(") + count(q, "sum("), 0u);
  EXPECT_THAT(q, HasSubstr(R"(max by (instance, job) (up{job=~"node"}))"));
  EXPECT_THAT(q, HasSubstr(R"(100 * (1 - avg by (instance, job) (rate(node_cpu_seconds_total{job=~"node",mode="idle"}[1m]))))"));
  // Both sides of the memory ratio keep (instance, job): one-to-one matching.
  EXPECT_THAT(q, HasSubstr(R"(max by (instance, job) (node_memory_MemAvailable_bytes{job=~"node"}) / max by (instance, job) (node_memory_MemTotal_bytes{job=~"node"}))"));
  EXPECT_THAT(q, HasSubstr(R"(max by (instance, job) (time() - node_boot_time_seconds{job=~"node"}))"));
}

TEST(FleetSummaryQuery, JobNamesMatchExactlyWhateverTheyHold) {
  const std::vector<std::string> jobs{"a.b", "node|x", R"(q"u\o)"};
  const auto q = fleet_summary_query(jobs);
  // Regex-quoted (a dot or a bar is literal), then escaped for the literal.
  EXPECT_THAT(q, HasSubstr(R"(job=~"a\\.b|node\\|x|q\"u\\\\o")"));
}

std::string sample(std::string_view metric, std::string_view instance, std::string_view job, std::string_view value) {
  return R"({"metric":{"sentinel_metric":")" + std::string(metric) + R"(","instance":")" + std::string(instance) +
         R"(","job":")" + std::string(job) + R"("},"value":[1700000000.5,")" + std::string(value) + R"("]})";
}

QueryResult vector_of(const std::vector<std::string>& samples) {
  std::string body = R"({"status":"success","data":{"resultType":"vector","result":[)";
  for (std::size_t i = 0; i < samples.size(); ++i) body += (i ? "," : "") + samples[i];
  body += "]}}";
  auto r = parse_query_response(200, body);
  EXPECT_TRUE(r) << body;
  return r ? *r : QueryResult{};
}

TEST(FleetResult, EachTargetGetsItsOwnValues) {
  const auto r = read_fleet_result(vector_of({
      sample("up", "a:9100", "node", "1"),
      sample("cpu_usage_percent", "a:9100", "node", "12.5"),
      sample("up", "b:9100", "node", "0"),
      sample("load1", "b:9100", "node", "NaN"),
      // The same instance under another job is another target.
      sample("cpu_usage_percent", "a:9100", "other", "99"),
  }));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 3u);
  const auto& a = r->at(fleet_target_key("node", "a:9100"));
  EXPECT_TRUE(a.up);
  EXPECT_EQ(a.values[0], 12.5);
  EXPECT_FALSE(a.values[1]);
  const auto& b = r->at(fleet_target_key("node", "b:9100"));
  EXPECT_FALSE(b.up);
  EXPECT_FALSE(b.values[3]);  // NaN is "no data"
  const auto& other = r->at(fleet_target_key("other", "a:9100"));
  EXPECT_FALSE(other.up);  // no `up` series: down
  EXPECT_EQ(other.values[0], 99);
}

TEST(FleetResult, RefusesSeriesItCannotPlace) {
  EXPECT_FALSE(read_fleet_result(vector_of({sample("bogus", "a:9100", "node", "1")})));
  EXPECT_FALSE(read_fleet_result(vector_of({sample("up", "", "node", "1")})));
  EXPECT_FALSE(read_fleet_result(vector_of({sample("up", "a:9100", "", "1")})));
}

TEST(FleetTargetKey, NoPairSpellsAnother) {
  EXPECT_NE(fleet_target_key("ab", "c"), fleet_target_key("a", "bc"));
}

FleetSnapshot example() {
  FleetSnapshot s;
  s.evaluated_at = 1700000000.125;
  SummaryValues v;
  v.up = true;
  for (std::size_t i = 0; i < summary_metrics().size(); ++i)
    v.values.push_back(i % 2 ? std::nullopt : std::optional<double>(0.5 * static_cast<double>(i)));
  s.targets.emplace(fleet_target_key("node", "a:9100"), v);
  v.up = false;
  s.targets.emplace(fleet_target_key("node", "b:9100"), v);
  return s;
}

TEST(FleetSnapshotText, RoundTripsExactly) {
  const auto s = example();
  const auto text = encode_fleet_snapshot(s);
  EXPECT_TRUE(text.starts_with(R"({"evaluated_at":)")) << "waiters read the age from the first field";
  const auto back = decode_fleet_snapshot(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->evaluated_at, s.evaluated_at);
  ASSERT_EQ(back->targets.size(), 2u);
  for (const auto& [key, v] : s.targets) {
    EXPECT_EQ(back->targets.at(key).up, v.up);
    EXPECT_EQ(back->targets.at(key).values, v.values);
  }
}

TEST(FleetSnapshotText, AnotherCatalogueIsAMiss) {
  auto text = encode_fleet_snapshot(example());
  const auto at = text.find("\"load1\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 7, "\"loadX\"");
  EXPECT_FALSE(decode_fleet_snapshot(text));
  EXPECT_FALSE(decode_fleet_snapshot("not json"));
  EXPECT_FALSE(decode_fleet_snapshot(R"({"evaluated_at":1,"metrics":[],"targets":{}})"));
}

TEST(FleetRows, EachServerGetsItsTargetAndUnknownTargetsAreDown) {
  const auto s = example();
  std::vector<domain::Server> servers(3);
  servers[0].id = 3;
  servers[0].instance = "b:9100";
  servers[0].job_name = "node";
  servers[1].id = 1;
  servers[1].instance = "a:9100";
  servers[1].job_name = "node";
  servers[2].id = 9;
  servers[2].instance = "a:9100";
  servers[2].job_name = "elsewhere";  // Prometheus scrapes a:9100 as "node" only
  const auto rows = FleetMetrics::rows(s, servers);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].server_id, 3);
  EXPECT_FALSE(rows[0].up);
  EXPECT_EQ(rows[1].server_id, 1);
  EXPECT_TRUE(rows[1].up);
  EXPECT_EQ(rows[1].values, s.targets.at(fleet_target_key("node", "a:9100")).values);
  EXPECT_EQ(rows[1].evaluated_at, s.evaluated_at);
  EXPECT_EQ(rows[2].server_id, 9);
  EXPECT_EQ(rows[2].job_name, "elsewhere");
  EXPECT_FALSE(rows[2].up);
  ASSERT_EQ(rows[2].values.size(), summary_metrics().size());
  for (const auto& v : rows[2].values) EXPECT_FALSE(v);
}

}  // namespace
}  // namespace sentinel::prometheus
