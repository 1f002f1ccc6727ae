#pragma once
// The alert engine's store over a test database (SQLite or PostgreSQL) at a
// clock the test moves: rules, servers, claims, and evaluations as the
// engine would record them. Shared by the store's and the routing's tests.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "storage/alert_engine_store.hpp"
#include "storage/alert_event_repository.hpp"
#include "storage/alert_rule_repository.hpp"
#include "storage/outbox_repository.hpp"
#include "storage/server_repository.hpp"
#include "storage_fixture.hpp"

namespace sentinel::testing {

class EngineStore : public StorageTest {
 protected:
  core::Timestamp now = core::from_unix(1'800'000'000);
  core::Clock clock = [this] { return now; };

  // Notifications go out at once (no grouping wait) unless a test says otherwise.
  storage::RoutingDefaults routing{.group_wait_sec = 0, .group_interval_sec = 0};
  storage::AlertEngineStore store() { return storage::AlertEngineStore(db(), clock, routing); }
  storage::AlertRuleRepository rules() { return storage::AlertRuleRepository(db(), clock, routing); }
  std::vector<storage::OutboxGroup> claim(const std::string& owner, std::size_t groups = 10) {
    return outbox().claim_due_groups(owner, 30, groups);
  }
  // Every claimed row, group after group.
  static std::vector<storage::OutboxItem> items_of(const std::vector<storage::OutboxGroup>& groups) {
    std::vector<storage::OutboxItem> out;
    for (const auto& g : groups) out.insert(out.end(), g.items.begin(), g.items.end());
    return out;
  }
  storage::OutboxRepository outbox() { return storage::OutboxRepository(db(), clock); }
  storage::AlertEventRepository events() { return storage::AlertEventRepository(db(), clock); }

  domain::Server make_server(const std::string& name, const std::string& instance) {
    domain::ServerCreate s;
    s.name = name;
    s.job_name = "node";
    s.instance = instance;
    return storage::ServerRepository(db(), clock).create(s, actor()).value();
  }
  domain::AlertRule make_rule(std::optional<std::int64_t> server_id, std::string channel = "telegram",
                              std::optional<std::int64_t> interval = 60) {
    domain::AlertRuleCreate r;
    r.name = "cpu";
    r.server_id = server_id;
    r.metric_name = "cpu_usage_percent";
    r.promql = "up";
    r.threshold = 90;
    r.channel = std::move(channel);
    r.eval_interval_sec = interval;
    return rules().create(r, actor()).value();
  }
  // Claims until the rule's first (spread) slot has come; returns that claim.
  storage::ClaimedRule first_claim(std::int64_t rule_id, const std::string& owner = "w1") {
    for (int i = 0; i < 400; ++i) {
      for (auto& c : store().claim_due_rules(owner, 60, 100))
        if (c.rule->id == rule_id) return c;
      now += std::chrono::seconds(1);
    }
    ADD_FAILURE() << "rule " << rule_id << " never became due";
    return {};
  }
  storage::SeriesUpdate firing(const std::string& fp, std::optional<std::int64_t> server_id, double value) {
    storage::SeriesUpdate u;
    u.series.fingerprint = fp;
    u.series.labels = {{"instance", "10.0.0.1:9100"}, {"mountpoint", fp}};
    u.series.server_id = server_id;
    u.series.state = "firing";
    u.series.firing_since = now;
    u.series.last_seen_at = now;
    u.series.last_value = value;
    u.notify = storage::Notification::firing;
    u.value = value;
    u.message = "cpu is " + std::to_string(value);
    u.payload = R"({"server_name":"web-1"})";
    return u;
  }
  // Every stored series of the rule resolving now (value `value`), as the
  // state machine leaves them.
  std::vector<storage::SeriesUpdate> resolve_all(std::int64_t rule_id, std::optional<double> value = std::nullopt) {
    std::vector<storage::SeriesUpdate> out;
    for (const auto& s : store().load_series(rule_id)) {
      storage::SeriesUpdate u;
      u.series = s;
      u.series.event_id.reset();
      u.forget = true;
      u.notify = storage::Notification::resolved;
      u.open_event_id = s.event_id;
      u.value = value;
      out.push_back(std::move(u));
    }
    return out;
  }
  storage::EvaluationRecord evaluation(std::int64_t rule_id, std::vector<storage::SeriesUpdate> updates,
                                       std::string state = "firing") {
    storage::EvaluationRecord e;
    e.rule_id = rule_id;
    e.owner = "w1";
    e.evaluated_at = now;
    e.state = std::move(state);
    e.last_value = 95;
    e.updates = std::move(updates);
    return e;
  }
};

}  // namespace sentinel::testing
