// DISCOVERY_JOBS and DISCOVERY_INTERVAL_SEC (product.md §10).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace sentinel::config {
namespace {

TEST(DiscoveryJobs, JobsWithOptionalNameLabels) {
  auto jobs = parse_discovery_jobs(" node:nodename , blackbox,,k8s:pods:pod ");
  ASSERT_TRUE(jobs) << jobs.error().detail;
  EXPECT_EQ(*jobs, (std::vector<DiscoveryJob>{{"node", "nodename"}, {"blackbox", std::nullopt}, {"k8s:pods", "pod"}}));
  EXPECT_TRUE(parse_discovery_jobs("")->empty());
}

TEST(DiscoveryJobs, BadEntriesNameTheVariable) {
  for (const char* bad : {"node:node-name", "node:", ":nodename", "node,node:nodename"}) {
    auto jobs = parse_discovery_jobs(bad);
    ASSERT_FALSE(jobs) << bad;
    EXPECT_THAT(jobs.error().detail, ::testing::StartsWith("DISCOVERY_JOBS: ")) << bad;
  }
}

TEST(DiscoveryJobs, LoadedWithTheInterval) {
  auto c = load({}, {{"DISCOVERY_JOBS", "node:nodename"}, {"DISCOVERY_INTERVAL_SEC", "5"}}, {});
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->discovery_jobs, (std::vector<DiscoveryJob>{{"node", "nodename"}}));
  EXPECT_EQ(c->discovery_interval_sec, 5);
  auto defaults = load({}, {}, {});
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->discovery_jobs.empty());
  EXPECT_EQ(defaults->discovery_interval_sec, 60);
  auto zero = load({}, {{"DISCOVERY_INTERVAL_SEC", "0"}}, {});
  ASSERT_FALSE(zero);
  EXPECT_THAT(zero.error().detail, ::testing::StartsWith("DISCOVERY_INTERVAL_SEC: "));
}

}  // namespace
}  // namespace sentinel::config
