#include <gtest/gtest.h>

#include "storage/alert_event_repository.hpp"
#include "storage/alert_rule_repository.hpp"
#include "storage/server_repository.hpp"
#include "storage/silence_repository.hpp"
#include "storage/user_repository.hpp"
#include "storage_fixture.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using sentinel::testing::test_clock;

namespace {

class Repositories : public sentinel::testing::StorageTest {
 protected:
  domain::Server make_server(const std::string& name) {
    domain::ServerCreate s;
    s.name = name;
    s.job_name = "node";
    s.instance = "10.0.0.1:9100";
    return servers().create(s, sentinel::testing::actor()).value();
  }
  domain::AlertRule make_rule(std::optional<std::int64_t> server_id) {
    domain::AlertRuleCreate r;
    r.name = "cpu";
    r.server_id = server_id;
    r.metric_name = "cpu_usage_percent";
    r.promql = "up";
    r.threshold = 90;
    return rules().create(r, sentinel::testing::actor()).value();
  }
  storage::ServerRepository& servers() { return servers_ ? *servers_ : *(servers_ = std::make_unique<storage::ServerRepository>(db(), test_clock)); }
  storage::AlertRuleRepository& rules() { return rules_ ? *rules_ : *(rules_ = std::make_unique<storage::AlertRuleRepository>(db(), test_clock)); }

 private:
  std::unique_ptr<storage::ServerRepository> servers_;
  std::unique_ptr<storage::AlertRuleRepository> rules_;
};

}  // namespace

TEST_P(Repositories, UsersCrudConflictAndTokenVersion) {
  storage::UserRepository users(db(), test_clock);
  auto alice = users.create("Alice@Example.com", "hash-1", true, domain::Role::editor, sentinel::testing::actor());
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->email, "alice@example.com");
  EXPECT_EQ(alice->created_at, sentinel::testing::fixed_now);
  auto dup = users.create("alice@example.com", "hash-2", true, domain::Role::editor, sentinel::testing::actor());
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().kind, core::ErrorKind::conflict);
  EXPECT_EQ(users.find_by_email("ALICE@example.com")->id, alice->id);
  EXPECT_EQ(users.count(), 1);

  storage::UserChanges superuser;
  superuser.is_superuser = true;
  auto promoted = users.update(alice->id, superuser, sentinel::testing::actor());
  ASSERT_TRUE(promoted);
  EXPECT_TRUE(promoted->is_superuser());
  EXPECT_EQ(promoted->token_version, alice->token_version) << "no revocation for a promotion";
  storage::UserChanges password;
  password.password_hash = "hash-3";
  EXPECT_EQ(users.update(alice->id, password, sentinel::testing::actor())->token_version, alice->token_version + 1);
  storage::UserChanges deactivate;
  deactivate.is_active = false;
  EXPECT_EQ(users.update(alice->id, deactivate, sentinel::testing::actor())->token_version, alice->token_version + 2);

  EXPECT_EQ(users.get(999).error().kind, core::ErrorKind::not_found);
  EXPECT_TRUE(users.remove(alice->id, sentinel::testing::actor()));
  EXPECT_FALSE(users.remove(alice->id, sentinel::testing::actor()));
}

TEST_P(Repositories, ServersStoreHostileStringsVerbatim) {
  const std::string name = "it's \"quoted\" ; DROP TABLE servers;-- ✓ مرحبا 🚀 \\";
  domain::ServerCreate s;
  s.name = name;
  s.job_name = "node";
  s.instance = "[::1]:9100";
  s.description = "Robert'); DROP TABLE users;--";
  auto created = servers().create(s, sentinel::testing::actor());
  ASSERT_TRUE(created);
  auto back = servers().get(created->id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->name, name);
  EXPECT_EQ(back->description, s.description);
  EXPECT_EQ(back->cadvisor_instance, std::nullopt);
}

TEST_P(Repositories, ServersConflictFilterPagingPatch) {
  auto a = make_server("a");
  auto b = make_server("b");
  auto dup = make_server("c");
  domain::ServerCreate again;
  again.name = "a";
  again.job_name = "node";
  again.instance = "h:1";
  EXPECT_EQ(servers().create(again, sentinel::testing::actor()).error().kind, core::ErrorKind::conflict);

  domain::ServerPatch patch;
  patch.is_active = false;
  patch.description = std::optional<std::string>("down for repair");
  auto patched = servers().update(b.id, patch, sentinel::testing::actor());
  ASSERT_TRUE(patched);
  EXPECT_FALSE(patched->is_active);
  EXPECT_EQ(patched->name, "b");
  EXPECT_EQ(patched->description, "down for repair");
  domain::ServerPatch clear;
  clear.description = std::optional<std::string>();
  EXPECT_EQ(servers().update(b.id, clear, sentinel::testing::actor())->description, std::nullopt);
  domain::ServerPatch rename;
  rename.name = "a";
  EXPECT_EQ(servers().update(b.id, rename, sentinel::testing::actor()).error().kind, core::ErrorKind::conflict);
  EXPECT_EQ(servers().update(12345, patch, sentinel::testing::actor()).error().kind, core::ErrorKind::not_found);

  EXPECT_EQ(servers().list({true, 0, 100}).size(), 2u);
  EXPECT_EQ(servers().list({false, 0, 100}).size(), 1u);
  auto page = servers().list({std::nullopt, 1, 1});
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, b.id);
  EXPECT_TRUE(servers().exists(a.id));
  EXPECT_FALSE(servers().exists(dup.id + 100));
}

TEST_P(Repositories, DeletingAServerDeletesItsRulesButKeepsEvents) {
  auto server = make_server("web");
  auto rule = make_rule(server.id);
  auto fleet = make_rule(std::nullopt);
  storage::AlertEventRepository events(db(), test_clock);
  domain::AlertEvent e;
  e.rule_id = rule.id;
  e.server_id = server.id;
  e.rule_name = rule.name;
  e.started_at = sentinel::testing::fixed_now;
  e.labels = {{"instance", "10.0.0.1:9100"}, {"mountpoint", "/"}};
  const auto stored = events.insert(e);
  ASSERT_TRUE(servers().remove(server.id, sentinel::testing::actor()));
  EXPECT_EQ(rules().get(rule.id).error().kind, core::ErrorKind::not_found);
  EXPECT_TRUE(rules().get(fleet.id));
  auto kept = events.get(stored.id);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->server_id, server.id);
  EXPECT_EQ(kept->labels.at("mountpoint"), "/");
  EXPECT_EQ(servers().remove(server.id, sentinel::testing::actor()).error().kind, core::ErrorKind::not_found);
}

TEST_P(Repositories, RulesRoundTripEveryField) {
  auto server = make_server("db");
  domain::AlertRuleCreate in;
  in.name = "disk";
  in.server_id = server.id;
  in.metric_name = "disk_usage_percent";
  in.promql = R"(100 - node_filesystem_avail_bytes{instance="$instance"})";
  in.threshold = 90.5;
  in.comparison = ">=";
  in.repeat_interval_sec = 0;
  in.channel = "webhook";
  in.for_sec = 300;
  in.recovery_threshold = 80.25;
  in.no_data_state = "alerting";
  in.severity = "critical";
  in.description = "disk";
  in.eval_interval_sec = 15;
  auto r = rules().create(in, sentinel::testing::actor());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, "inactive");
  auto back = rules().get(r->id).value();
  EXPECT_EQ(back.promql, in.promql);
  EXPECT_EQ(back.threshold, 90.5);
  EXPECT_EQ(back.recovery_threshold, 80.25);
  EXPECT_EQ(back.eval_interval_sec, 15);
  EXPECT_EQ(back.repeat_interval_sec, 0);
  EXPECT_EQ(back.no_data_state, "alerting");
  EXPECT_EQ(back.last_value, std::nullopt);

  back.threshold = 95;
  back.recovery_threshold.reset();
  back.is_active = false;
  auto updated = rules().update(back, sentinel::testing::actor());
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->threshold, 95);
  EXPECT_EQ(updated->recovery_threshold, std::nullopt);
  EXPECT_EQ(rules().list({server.id, std::nullopt, 0, 100}).size(), 1u);
  EXPECT_EQ(rules().list({std::nullopt, true, 0, 100}).size(), 0u);
  back.id = 9999;
  EXPECT_EQ(rules().update(back, sentinel::testing::actor()).error().kind, core::ErrorKind::not_found);
  EXPECT_TRUE(rules().remove(r->id, sentinel::testing::actor()));
  EXPECT_FALSE(rules().remove(r->id, sentinel::testing::actor()));
}

TEST_P(Repositories, EventsNewestFirstFiltersAndIdempotentAck) {
  storage::AlertEventRepository events(db(), test_clock);
  for (int i = 0; i < 5; ++i) {
    domain::AlertEvent e;
    e.rule_id = i % 2 ? 1 : 2;
    e.server_id = 7;
    e.rule_name = "r" + std::to_string(i);
    e.status = i == 4 ? "resolved" : "firing";
    e.value = 1.5 * i;
    e.started_at = sentinel::testing::fixed_now + std::chrono::seconds(i);
    events.insert(e);
  }
  auto all = events.list({});
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all.front().rule_name, "r4");
  EXPECT_EQ(events.list({std::string("resolved"), {}, {}, {}, 0, 100}).size(), 1u);
  EXPECT_EQ(events.list({{}, 1, {}, {}, 0, 100}).size(), 2u);
  EXPECT_EQ(events.list({{}, {}, 7, sentinel::testing::fixed_now + 3s, 0, 100}).size(), 2u);
  EXPECT_EQ(events.list({{}, {}, {}, {}, 4, 100}).size(), 1u);

  auto first = events.acknowledge(all.front().id, sentinel::testing::actor(1));
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->acknowledged);
  EXPECT_EQ(first->acknowledged_by, 1);
  sentinel::testing::fixed_now += 10s;
  auto second = events.acknowledge(all.front().id, sentinel::testing::actor(2));
  EXPECT_EQ(second->acknowledged_by, 1);
  EXPECT_EQ(second->acknowledged_at, first->acknowledged_at);
  EXPECT_EQ(events.acknowledge(999, sentinel::testing::actor(1)).error().kind, core::ErrorKind::not_found);
}

TEST_P(Repositories, SilencesActiveWindow) {
  storage::SilenceRepository silences(db(), test_clock);
  domain::SilenceCreate now_on;
  now_on.ends_at = sentinel::testing::fixed_now + 3600s;
  now_on.comment = "maintenance";
  domain::SilenceCreate later;
  later.starts_at = sentinel::testing::fixed_now + 7200s;
  later.ends_at = sentinel::testing::fixed_now + 9000s;
  auto a = silences.create(now_on, sentinel::testing::actor());
  auto b = silences.create(later, sentinel::testing::actor());
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->starts_at, sentinel::testing::fixed_now);
  EXPECT_EQ(silences.list({false, 0, 100}).size(), 2u);
  auto active = silences.list({true, 0, 100});
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].id, a->id);
  EXPECT_TRUE(silences.remove(a->id, sentinel::testing::actor()));
  EXPECT_EQ(silences.get(a->id).error().kind, core::ErrorKind::not_found);
}

INSTANTIATE_TEST_SUITE_P(Dialects, Repositories,
                         ::testing::Values(storage::Dialect::sqlite, storage::Dialect::postgresql),
                         sentinel::testing::dialect_name);
