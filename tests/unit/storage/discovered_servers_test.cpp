// What discovery writes (product.md §10): a target registered once however
// many discoveries race for it, activation flips audited, and whether the
// sync's own deactivation is still the last word on a server.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "storage/server_repository.hpp"
#include "storage_fixture.hpp"

using namespace sentinel;
using sentinel::testing::test_clock;

namespace {

class DiscoveredServers : public sentinel::testing::StorageTest {};

domain::ServerCreate target(std::string name, std::string instance) {
  domain::ServerCreate s;
  s.name = std::move(name);
  s.job_name = "node";
  s.instance = std::move(instance);
  return s;
}

TEST_P(DiscoveredServers, RegisteredOnceByJobAndInstance) {
  storage::ServerRepository servers(db(), test_clock);
  auto first = servers.create_unless_registered(target("web", "a:9100"), sentinel::testing::actor());
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->created);
  auto again = servers.create_unless_registered(target("web (a:9100)", "a:9100"), sentinel::testing::actor());
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->server.id, first->server.id);
  auto taken = servers.create_unless_registered(target("web", "b:9100"), sentinel::testing::actor());
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, core::ErrorKind::conflict);
}

TEST_P(DiscoveredServers, ConcurrentDiscoveriesCreateOneServer) {
  storage::ServerRepository servers(db(), test_clock);
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  // Different names on purpose: only the (job, instance) check can stop a duplicate.
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      auto r = servers.create_unless_registered(target("n" + std::to_string(i), "c:9100"), sentinel::testing::actor());
      if (r && r->created) ++created;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(servers.list({std::nullopt, 0, 100}).size(), 1u);
}

TEST_P(DiscoveredServers, ActivationFlipsOnceAndKnowsWhoMadeTheLastChange) {
  storage::ServerRepository servers(db(), test_clock);
  const auto id = servers.create_unless_registered(target("web", "a:9100"), sentinel::testing::actor())->server.id;
  EXPECT_FALSE(servers.last_changed_via(id, "discovery"));
  auto off = servers.set_active(id, false, domain::AuditActor::discovery());
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->is_active);
  EXPECT_FALSE(servers.set_active(id, false, domain::AuditActor::discovery()));  // already so: no-op
  EXPECT_TRUE(servers.last_changed_via(id, "discovery"));
  domain::ServerPatch p;
  p.description = std::optional<std::string>("edited by a person");
  ASSERT_TRUE(servers.update(id, p, sentinel::testing::actor()));
  EXPECT_FALSE(servers.last_changed_via(id, "discovery"));
  EXPECT_FALSE(servers.set_active(424242, true, domain::AuditActor::discovery()));
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Dialects, DiscoveredServers,
                         ::testing::Values(storage::Dialect::sqlite, storage::Dialect::postgresql),
                         sentinel::testing::dialect_name);
