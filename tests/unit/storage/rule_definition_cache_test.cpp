// The alert engine's cache of rule definitions: a definition is served only
// at the version it was read at, and ones no claim asked for in a long while
// (deleted or paused rules) are dropped.
#include <gtest/gtest.h>

#include "storage/rule_definition_cache.hpp"

using sentinel::domain::AlertRule;
using sentinel::storage::RuleDefinitionCache;

namespace {

std::shared_ptr<const AlertRule> rule(std::int64_t id, double threshold) {
  AlertRule r;
  r.id = id;
  r.threshold = threshold;
  return std::make_shared<const AlertRule>(r);
}

}  // namespace

TEST(RuleDefinitionCache, ServesADefinitionOnlyAtItsVersion) {
  RuleDefinitionCache cache;
  EXPECT_EQ(cache.find(7, 0, 1000), nullptr);
  cache.put(7, 0, rule(7, 90), 1000);
  ASSERT_NE(cache.find(7, 0, 1001), nullptr);
  EXPECT_EQ(cache.find(7, 0, 1001)->threshold, 90);
  EXPECT_EQ(cache.find(7, 1, 1002), nullptr);  // edited since: read it again
  cache.put(7, 1, rule(7, 50), 1002);
  EXPECT_EQ(cache.find(7, 1, 1003)->threshold, 50);
  EXPECT_EQ(cache.find(7, 0, 1003), nullptr);
  EXPECT_EQ(cache.find(8, 1, 1003), nullptr);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(RuleDefinitionCache, DropsDefinitionsNoClaimAskedForInALongWhile) {
  RuleDefinitionCache cache({.max_idle_sec = 100, .sweep_every_sec = 10});
  cache.put(1, 0, rule(1, 1), 1000);  // still claimed every 60 s
  cache.put(2, 0, rule(2, 2), 1000);  // deleted: never asked for again
  for (std::int64_t t = 1000; t <= 1300; t += 60) EXPECT_NE(cache.find(1, 0, t), nullptr);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.find(2, 0, 1300), nullptr);
}
