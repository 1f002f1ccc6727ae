#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "prometheus/promql_template.hpp"
#include "prometheus/query_catalogue.hpp"

namespace sentinel::prometheus {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const TemplateVars node_server{"10.0.0.5:9100", "node"};
const TemplateVars cadvisor_server{"10.0.0.5:8080", std::nullopt};  // no job for cAdvisor

std::vector<std::string_view> container_query_list() {
  const auto& c = container_queries();
  return {c.cpu_usage_percent, c.memory_usage_bytes, c.memory_limit_bytes, c.network_receive_bytes_per_second,
          c.network_transmit_bytes_per_second};
}

TEST(QueryCatalogue, SummaryKeysInDocumentOrder) {
  std::vector<std::string_view> keys;
  for (const auto& m : summary_metrics()) keys.push_back(m.key);
  EXPECT_THAT(keys, ElementsAre("cpu_usage_percent", "memory_usage_percent", "disk_usage_percent", "load1", "load5",
                                "load15", "network_receive_bytes_per_second", "network_transmit_bytes_per_second",
                                "uptime_seconds"));
}

TEST(QueryCatalogue, SummaryQueriesRenderForAServer) {
  for (const auto& m : summary_metrics()) {
    SCOPED_TRACE(m.key);
    EXPECT_THAT(m.promql, HasSubstr(R"(instance="$instance")"));
    EXPECT_THAT(m.promql, HasSubstr(R"(job="$job")"));
    EXPECT_TRUE(uses_template_vars(m.promql));
    const auto r = render_promql(m.promql, node_server);
    ASSERT_TRUE(r);
    EXPECT_THAT(*r, HasSubstr(R"(instance="10.0.0.5:9100")"));
    EXPECT_THAT(*r, HasSubstr(R"(job="node")"));
    EXPECT_THAT(*r, Not(HasSubstr("$")));
  }
}

TEST(QueryCatalogue, NetworkQueriesSkipLoopbackAndVirtualDevices) {
  for (const auto* key : {"network_receive_bytes_per_second", "network_transmit_bytes_per_second"}) {
    SCOPED_TRACE(key);
    const auto m = find_summary_metric(key);
    ASSERT_TRUE(m);
    EXPECT_THAT(m->promql, HasSubstr(R"(device!~"lo|veth.*|docker.*|br-.*|virbr.*|cni.*|flannel.*|cali.*|vxlan.*|)"
                                     R"(tun.*|tap.*|kube-ipvs.*")"));
  }
}

TEST(QueryCatalogue, UpQueryRenders) {
  EXPECT_THAT(up_query(), HasSubstr(R"(up{instance="$instance",job="$job"})"));
  const auto r = render_promql(up_query(), node_server);
  ASSERT_TRUE(r);
  EXPECT_THAT(*r, HasSubstr(R"(up{instance="10.0.0.5:9100",job="node"})"));
}

TEST(QueryCatalogue, SummaryQueryTagsUpAndEveryMetric) {
  // One branch per metric, each tagged with its key, joined with `or`.
  const std::string q(summary_query());
  auto branch = [](std::string_view key, std::string_view promql) {
    return "label_replace(" + std::string(promql) + R"(, "sentinel_metric", ")" + std::string(key) + R"(", "", ""))";
  };
  std::string expected = branch("up", up_query());
  for (const auto& m : summary_metrics()) expected += " or " + branch(m.key, m.promql);
  EXPECT_EQ(q, expected);
  const auto r = render_promql(q, node_server);
  ASSERT_TRUE(r);
  EXPECT_THAT(*r, Not(HasSubstr("$")));
  EXPECT_THAT(*r, Not(HasSubstr(R"(instance="$instance")")));
}

TEST(QueryCatalogue, FindSummaryMetric) {
  for (const auto& m : summary_metrics()) {
    const auto found = find_summary_metric(m.key);
    ASSERT_TRUE(found) << m.key;
    EXPECT_EQ(found->key, m.key);
    EXPECT_EQ(found->promql, m.promql);
  }
  EXPECT_FALSE(find_summary_metric("up"));
  EXPECT_FALSE(find_summary_metric(""));
  EXPECT_FALSE(find_summary_metric("CPU_USAGE_PERCENT"));
  EXPECT_FALSE(find_summary_metric("load"));
}

TEST(QueryCatalogue, ContainerQueriesRenderForACadvisor) {
  for (const auto q : container_query_list()) {
    SCOPED_TRACE(q);
    EXPECT_THAT(q, HasSubstr(R"(instance="$instance")"));
    EXPECT_THAT(q, HasSubstr(R"(name!="")"));
    EXPECT_THAT(q, HasSubstr("by (name, image)"));
    // Rendered with the cAdvisor's address only: $job must not be needed.
    const auto r = render_promql(q, cadvisor_server);
    ASSERT_TRUE(r);
    EXPECT_THAT(*r, HasSubstr(R"(instance="10.0.0.5:8080")"));
    EXPECT_THAT(*r, Not(HasSubstr("$")));
  }
}

}  // namespace
}  // namespace sentinel::prometheus
