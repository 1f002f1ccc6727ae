// The alert engine's store on SQLite and PostgreSQL: rule claims (spread,
// exactly once, skipped slots, leases), one-transaction evaluation records
// (event + outbox, silences, channel "none", resolution, deleted rules) and
// the outbox's at-least-once life cycle.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <set>

#include "engine_store_fixture.hpp"
#include "storage/silence_repository.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using sentinel::testing::EngineStore;


TEST_P(EngineStore, NewRulesAreSpreadOverTheirInterval) {
  for (int i = 0; i < 20; ++i) make_rule(std::nullopt, "none", 60);
  const auto start = now;
  std::map<std::int64_t, int> claims;
  std::set<long long> slots;
  for (int s = 0; s < 60; ++s) {
    for (const auto& c : store().claim_due_rules("w1", 60, 100)) {
      EXPECT_EQ(c.slot, now);
      EXPECT_EQ(c.skipped, 0);
      ++claims[c.rule->id];
      slots.insert(core::to_unix(c.slot));
    }
    now += 1s;
  }
  EXPECT_EQ(claims.size(), 20u) << "every rule runs within its first interval";
  for (const auto& [id, n] : claims) EXPECT_EQ(n, 1) << "rule " << id;
  EXPECT_GE(slots.size(), 8u) << "20 rules should not share a handful of seconds";
  EXPECT_LT(*slots.rbegin() - core::to_unix(start), 60);
}

TEST_P(EngineStore, EachSlotIsClaimedOnceAndTheLeaseBlocksOthers) {
  const auto rule = make_rule(std::nullopt, "none", 10);
  const auto c = first_claim(rule.id, "w1");
  EXPECT_EQ(c.interval_sec, 10);
  EXPECT_EQ(c.slot, now);
  // Same second, other worker: nothing (next slot is 10 s on, and leased).
  EXPECT_TRUE(store().claim_due_rules("w2", 60, 100).empty());
  // Worker 1 still evaluating at the next slot (an overrun): not claimable.
  now += 10s;
  EXPECT_TRUE(store().claim_due_rules("w2", 60, 100).empty());
  // The evaluation finishes: the lease is released, the next slot is claimable once.
  store().record(rule, evaluation(rule.id, {}, "inactive"));
  now += 1s;
  auto again = store().claim_due_rules("w2", 60, 100);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].slot, c.slot + 10s);
  EXPECT_TRUE(store().claim_due_rules("w1", 60, 100).empty());
}

// More rules than one lease statement takes (64): every one is leased and
// moved on by its own interval.
TEST_P(EngineStore, ALargeClaimLeasesEveryRule) {
  std::map<std::int64_t, std::int64_t> interval_of;
  for (int i = 0; i < 150; ++i) {
    const std::int64_t interval = i % 2 ? 30 : 60;
    interval_of[make_rule(std::nullopt, "none", interval).id] = interval;
  }
  // The first claim gives each rule its first slot (spread over one
  // interval); a minute later every one has come.
  for (const auto& c : store().claim_due_rules("w1", 60, 500))
    store().record(*c.rule, evaluation(c.rule->id, {}, "inactive"));
  now += 60s;
  auto claimed = store().claim_due_rules("w1", 60, 500);
  ASSERT_EQ(claimed.size(), 150u);
  for (const auto& c : claimed) {
    EXPECT_EQ(c.interval_sec, interval_of.at(c.rule->id));
    EXPECT_EQ(c.skipped, (core::to_unix(now) - core::to_unix(c.slot)) / c.interval_sec);
  }
  EXPECT_TRUE(store().claim_due_rules("w2", 60, 500).empty());  // all leased
  // Each lease given back: the next slot of each comes one interval on.
  for (const auto& c : claimed) store().record(*c.rule, evaluation(c.rule->id, {}, "inactive"));
  std::map<std::int64_t, int> again;
  for (int s = 0; s <= 60; ++s, now += 1s)
    for (const auto& c : store().claim_due_rules("w1", 60, 500)) {
      ++again[c.rule->id];
      EXPECT_EQ(c.skipped, 0);
      store().record(*c.rule, evaluation(c.rule->id, {}, "inactive"));
    }
  EXPECT_EQ(again.size(), 150u);
  for (auto [id, n] : again) EXPECT_EQ(n, 60 / interval_of.at(id)) << "rule " << id;  // 30 s rules twice
}

TEST_P(EngineStore, ADeadWorkersRuleIsTakenOverAfterItsLease) {
  const auto rule = make_rule(std::nullopt, "none", 10);
  const auto c = first_claim(rule.id, "dead");
  now += 19s;  // the lease is two intervals
  EXPECT_TRUE(store().claim_due_rules("alive", 60, 100).empty());
  now += 1s;
  auto taken = store().claim_due_rules("alive", 60, 100);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].slot, c.slot + 10s);
  EXPECT_EQ(taken[0].skipped, 1);  // the slot the dead worker never ran
}

TEST_P(EngineStore, MissedSlotsAreSkippedAndCounted) {
  const auto rule = make_rule(std::nullopt, "none", 10);
  const auto c = first_claim(rule.id);
  store().record(rule, evaluation(rule.id, {}, "inactive"));
  now += 35s;  // slots at +10, +20, +30 passed
  auto late = store().claim_due_rules("w1", 60, 100);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].slot, c.slot + 10s);
  EXPECT_EQ(late[0].skipped, 2);
  store().record(rule, evaluation(rule.id, {}, "inactive"));
  // The next slot is the first one after now: +40, not +20.
  now = c.slot + 39s;
  EXPECT_TRUE(store().claim_due_rules("w1", 60, 100).empty());
  now = c.slot + 40s;
  EXPECT_EQ(store().claim_due_rules("w1", 60, 100).size(), 1u);
}

TEST_P(EngineStore, PausedRulesAreNotClaimedAndResumeWithAFreshSlot) {
  const auto rule = make_rule(std::nullopt, "none", 10);
  first_claim(rule.id);
  store().record(rule, evaluation(rule.id, {}, "inactive"));
  auto paused = rules().get(rule.id).value();
  paused.is_active = false;
  ASSERT_TRUE(rules().update(paused, sentinel::testing::actor()));
  for (int i = 0; i < 30; ++i, now += 1s) EXPECT_TRUE(store().claim_due_rules("w1", 60, 100).empty());
  paused.is_active = true;
  ASSERT_TRUE(rules().update(paused, sentinel::testing::actor()));
  first_claim(rule.id);
}

TEST_P(EngineStore, FiringWritesEventSeriesAndOutboxTogether) {
  const auto server = make_server("web-1", "10.0.0.1:9100");
  const auto rule = make_rule(server.id);
  first_claim(rule.id);
  const auto recorded = store().record(rule, evaluation(rule.id, {firing("/", server.id, 95)}));
  ASSERT_EQ(recorded.size(), 1u);
  const auto& e = recorded[0].event;
  EXPECT_EQ(recorded[0].kind, storage::Notification::firing);
  EXPECT_EQ(e.status, "firing");
  EXPECT_EQ(e.rule_id, rule.id);
  EXPECT_EQ(e.server_id, server.id);
  EXPECT_EQ(e.value, 95);
  EXPECT_EQ(e.notification_status, "pending");
  EXPECT_EQ(e.labels.at("mountpoint"), "/");
  EXPECT_EQ(e.started_at, now);

  const auto series = store().load_series(rule.id);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].state, "firing");
  EXPECT_EQ(series[0].event_id, e.id);
  EXPECT_EQ(series[0].last_notified_at, now);

  auto r = rules().get(rule.id).value();
  EXPECT_EQ(r.state, "firing");
  EXPECT_EQ(r.last_evaluated_at, now);
  EXPECT_EQ(r.last_value, 95);

  auto due = claim("d1");
  ASSERT_EQ(due.size(), 1u);
  ASSERT_EQ(due[0].items.size(), 1u);
  EXPECT_EQ(due[0].items[0].event_id, e.id);
  EXPECT_EQ(due[0].rule_id, rule.id);
  EXPECT_EQ(due[0].channel, "telegram");  // not configured, and nothing else to go to: fails saying so
  EXPECT_EQ(due[0].kind, "firing");
  EXPECT_EQ(due[0].items[0].payload, R"({"server_name":"web-1"})");
  ASSERT_TRUE(due[0].items[0].event);
  EXPECT_EQ(due[0].items[0].event->id, e.id);
}

TEST_P(EngineStore, RepeatAndResolveUpdateTheSameEvent) {
  const auto rule = make_rule(std::nullopt, "webhook");
  first_claim(rule.id);
  const auto fired = store().record(rule, evaluation(rule.id, {firing("/", std::nullopt, 95)}));
  const auto id = fired.at(0).event.id;

  now += 300s;
  auto series = store().load_series(rule.id).at(0);
  storage::SeriesUpdate repeat;
  repeat.series = series;
  repeat.notify = storage::Notification::repeat;
  repeat.open_event_id = id;
  repeat.value = 97;
  EXPECT_TRUE(store().record(rule, evaluation(rule.id, {repeat})).empty());  // repeats are not new events
  auto e = events().get(id).value();
  EXPECT_EQ(e.value, 97);
  EXPECT_EQ(e.last_notified_at, now);
  EXPECT_EQ(store().load_series(rule.id).at(0).last_notified_at, now);

  now += 60s;
  storage::SeriesUpdate resolve;
  resolve.series = store().load_series(rule.id).at(0);
  resolve.forget = true;
  resolve.series.event_id.reset();  // as the state machine leaves it
  resolve.notify = storage::Notification::resolved;
  resolve.open_event_id = id;
  resolve.value = 40;
  const auto resolved = store().record(rule, evaluation(rule.id, {resolve}, "inactive"));
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].kind, storage::Notification::resolved);
  EXPECT_EQ(resolved[0].event.id, id);
  EXPECT_EQ(resolved[0].event.status, "resolved");
  EXPECT_EQ(resolved[0].event.resolved_at, now);
  EXPECT_EQ(resolved[0].event.value, 40);
  EXPECT_TRUE(store().load_series(rule.id).empty());

  // One at a time and in order: a notification waits for the earlier ones of its event.
  std::vector<std::string> kinds;
  for (int i = 0; i < 4; ++i) {
    auto due = claim("d1");
    if (due.empty()) break;
    EXPECT_EQ(due.size(), 1u);
    EXPECT_TRUE(claim("d2").empty()) << "the next one waits while this one is in flight";
    kinds.push_back(due[0].kind);
    outbox().mark_sent(due[0]);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"firing", "repeat", "resolved"}));
}

// A fleet rule firing for hundreds of hosts at once (more rows than one
// statement chunk holds), one of them silenced, then resolving for all:
// every event, series row and notification is written, each once, with its
// own value and status (the writes are batched: evaluation_writes.cpp).
TEST_P(EngineStore, AStormOfSeriesIsWrittenAndResolvedInBatches) {
  const auto quiet = make_server("quiet", "10.0.0.9:9100");
  const auto rule = make_rule(std::nullopt, "webhook");
  domain::SilenceCreate silence;
  silence.server_id = quiet.id;
  silence.ends_at = now + 3600s;
  ASSERT_TRUE(storage::SilenceRepository(db(), clock).create(silence, sentinel::testing::actor()));
  first_claim(rule.id);
  constexpr int n = 250;
  std::vector<storage::SeriesUpdate> storm;
  for (int i = 0; i < n; ++i)
    storm.push_back(firing("host-" + std::to_string(i), i == 7 ? std::optional<std::int64_t>(quiet.id) : std::nullopt,
                           100 + i));
  const auto fired = store().record(rule, evaluation(rule.id, storm));
  ASSERT_EQ(fired.size(), static_cast<std::size_t>(n));
  std::map<std::string, domain::AlertEvent> by_fp;
  for (const auto& r : fired) by_fp.emplace(r.event.fingerprint, r.event);
  ASSERT_EQ(by_fp.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto& e = by_fp.at("host-" + std::to_string(i));
    EXPECT_EQ(e.value, 100 + i);
    EXPECT_EQ(e.notification_status, i == 7 ? "suppressed" : "pending");
  }
  auto series = store().load_series(rule.id);
  ASSERT_EQ(series.size(), static_cast<std::size_t>(n));
  for (const auto& s : series) EXPECT_EQ(s.event_id, by_fp.at(s.fingerprint).id) << s.fingerprint;
  EXPECT_EQ(outbox().pending_count(), n - 1);

  now += 60s;
  const auto resolved = store().record(rule, evaluation(rule.id, resolve_all(rule.id, 1), "inactive"));
  ASSERT_EQ(resolved.size(), static_cast<std::size_t>(n));
  for (const auto& r : resolved) {
    EXPECT_EQ(r.kind, storage::Notification::resolved);
    EXPECT_EQ(r.event.status, "resolved");
    EXPECT_EQ(r.event.resolved_at, now);
    EXPECT_EQ(r.event.value, 1);
  }
  EXPECT_TRUE(store().load_series(rule.id).empty());
  EXPECT_EQ(outbox().pending_count(), 2 * (n - 1));
}

TEST_P(EngineStore, SilencesAndChannelNoneSuppressWithoutOutboxRows) {
  const auto a = make_server("a", "10.0.0.1:9100");
  const auto b = make_server("b", "10.0.0.2:9100");
  const auto rule = make_rule(std::nullopt);
  const auto quiet = make_rule(a.id, "none");
  domain::SilenceCreate s;
  s.server_id = a.id;
  s.ends_at = now + 3600s;
  ASSERT_TRUE(storage::SilenceRepository(db(), clock).create(s, sentinel::testing::actor()));

  first_claim(rule.id);
  first_claim(quiet.id);
  auto fired = store().record(rule, evaluation(rule.id, {firing("a", a.id, 95), firing("b", b.id, 95),
                                                         firing("unregistered", std::nullopt, 95)}));
  ASSERT_EQ(fired.size(), 3u);
  std::map<std::string, std::string> status;
  for (const auto& r : fired) status[r.event.fingerprint] = r.event.notification_status;
  EXPECT_EQ(status["a"], "suppressed");  // the silenced server: recorded, not delivered
  EXPECT_EQ(status["b"], "pending");
  EXPECT_EQ(status["unregistered"], "pending");
  auto none = store().record(quiet, evaluation(quiet.id, {firing("q", a.id, 95)}));
  EXPECT_EQ(none.at(0).event.notification_status, "suppressed");

  auto due = claim("d1");
  ASSERT_EQ(due.size(), 1u) << "one rule, one target, one kind: one group";
  ASSERT_EQ(due[0].items.size(), 2u);
  std::set<std::int64_t> ids{due[0].items[0].event_id, due[0].items[1].event_id};
  for (const auto& r : fired)
    EXPECT_EQ(ids.count(r.event.id), r.event.fingerprint == "a" ? 0u : 1u) << r.event.fingerprint;
}

TEST_P(EngineStore, DeletedRuleRecordsNothing) {
  const auto rule = make_rule(std::nullopt);
  first_claim(rule.id);
  ASSERT_TRUE(rules().remove(rule.id, sentinel::testing::actor()));
  EXPECT_TRUE(store().record(rule, evaluation(rule.id, {firing("/", std::nullopt, 95)})).empty());
  EXPECT_TRUE(events().list({}).empty());
  EXPECT_EQ(outbox().pending_count(), 0);
}

TEST_P(EngineStore, ConditionEditsResetPendingSeriesOnly) {
  const auto rule = make_rule(std::nullopt, "none");
  first_claim(rule.id);
  auto pending = firing("p", std::nullopt, 95);
  pending.series.state = "pending";
  pending.series.firing_since.reset();
  pending.series.pending_since = now;
  pending.notify = storage::Notification::none;
  store().record(rule, evaluation(rule.id, {pending, firing("f", std::nullopt, 95)}));
  ASSERT_EQ(store().load_series(rule.id).size(), 2u);

  auto renamed = rules().get(rule.id).value();
  renamed.name = "cpu (renamed)";
  ASSERT_TRUE(rules().update(renamed, sentinel::testing::actor()));
  EXPECT_EQ(store().load_series(rule.id).size(), 2u) << "a new name changes no condition";

  renamed.threshold = 80;
  ASSERT_TRUE(rules().update(renamed, sentinel::testing::actor()));
  const auto left = store().load_series(rule.id);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].fingerprint, "f");
}

TEST_P(EngineStore, AcknowledgementIsVisibleToTheEngine) {
  const auto rule = make_rule(std::nullopt);
  first_claim(rule.id);
  const auto fired = store().record(rule, evaluation(rule.id, {firing("/", std::nullopt, 95)}));
  EXPECT_FALSE(store().load_series(rule.id).at(0).acknowledged);
  ASSERT_TRUE(events().acknowledge(fired.at(0).event.id, sentinel::testing::actor(1)));
  EXPECT_TRUE(store().load_series(rule.id).at(0).acknowledged);
}

TEST_P(EngineStore, OutboxDeliversAtLeastOnce) {
  const auto rule = make_rule(std::nullopt);
  first_claim(rule.id);
  const auto id = store().record(rule, evaluation(rule.id, {firing("/", std::nullopt, 95)})).at(0).event.id;
  auto box = outbox();
  EXPECT_EQ(box.pending_count(), 1);
  EXPECT_EQ(box.next_due_at(), now);

  // A dispatcher claims it and dies: nobody else gets it until the lease ends.
  ASSERT_EQ(claim("dead").size(), 1u);
  EXPECT_TRUE(claim("d2").empty());
  now += 30s;
  auto again = claim("d2");
  ASSERT_EQ(again.size(), 1u);

  // Retry with backoff: not due before its time, then delivered.
  box.mark_retry(again[0], now + 5s, "HTTP 502");
  EXPECT_TRUE(claim("d2").empty());
  now += 5s;
  auto third = claim("d2");
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].items.at(0).attempts, 1);
  box.mark_sent(third[0]);
  EXPECT_EQ(box.pending_count(), 0);
  EXPECT_FALSE(box.next_due_at());
  EXPECT_EQ(events().get(id).value().notification_status, "sent");

  // A permanent failure marks the event failed.
  now += 300s;
  storage::SeriesUpdate repeat;
  repeat.series = store().load_series(rule.id).at(0);
  repeat.notify = storage::Notification::repeat;
  repeat.open_event_id = id;
  store().record(rule, evaluation(rule.id, {repeat}));
  auto r = claim("d2");
  ASSERT_EQ(r.size(), 1u);
  box.mark_failed(r[0], "Bad Request: chat not found");
  EXPECT_EQ(events().get(id).value().notification_status, "failed");
  EXPECT_EQ(box.pending_count(), 0);
}

TEST_P(EngineStore, DeletingOrPausingARuleOrItsServerEndsItsAlerts) {
  const auto server = make_server("web-1", "10.0.0.1:9100");
  auto fire = [&](const domain::AlertRule& r) {
    first_claim(r.id);
    return store().record(r, evaluation(r.id, {firing("/", server.id, 95)})).at(0).event.id;
  };
  const auto deleted = make_rule(server.id);
  const auto paused = make_rule(server.id, "webhook");
  const auto by_server = make_rule(server.id);
  const auto quiet = make_rule(server.id, "none");
  const auto e_deleted = fire(deleted), e_paused = fire(paused), e_server = fire(by_server), e_quiet = fire(quiet);
  for (const auto& group : claim("d")) outbox().mark_sent(group);  // the firing messages

  now += 60s;
  ASSERT_TRUE(rules().remove(deleted.id, sentinel::testing::actor()));
  auto p = rules().get(paused.id).value();
  p.is_active = false;
  ASSERT_TRUE(rules().update(p, sentinel::testing::actor()));
  ASSERT_TRUE(storage::ServerRepository(db(), clock, routing).remove(server.id, sentinel::testing::actor()));

  for (auto id : {e_deleted, e_paused, e_server, e_quiet}) {
    auto e = events().get(id).value();
    EXPECT_EQ(e.status, "resolved") << id;
    EXPECT_EQ(e.resolved_at, now) << id;
  }
  EXPECT_EQ(events().get(e_quiet).value().notification_status, "suppressed");
  std::map<std::int64_t, std::string> resolved;  // event -> payload
  for (const auto& item : items_of(claim("d"))) {
    EXPECT_EQ(item.kind, "resolved");
    resolved[item.event_id] = item.payload;
  }
  EXPECT_EQ(resolved.size(), 3u) << "one resolved notification each, none for channel none";
  EXPECT_NE(resolved[e_deleted].find(R"("reason":"rule deleted")"), std::string::npos) << resolved[e_deleted];
  EXPECT_NE(resolved[e_paused].find(R"("reason":"rule paused")"), std::string::npos) << resolved[e_paused];
  EXPECT_NE(resolved[e_server].find(R"("reason":"server deleted")"), std::string::npos) << resolved[e_server];
  EXPECT_NE(resolved[e_deleted].find(R"("server_name":"web-1")"), std::string::npos) << resolved[e_deleted];
  EXPECT_TRUE(store().load_series(paused.id).empty());
}

TEST_P(EngineStore, ClaimsSayWhetherARuleHasSeriesToLoad) {
  const auto rule = make_rule(std::nullopt, "none", 10);
  EXPECT_FALSE(first_claim(rule.id).has_series);
  store().record(rule, evaluation(rule.id, {firing("/", std::nullopt, 95)}));
  now += 10s;
  auto next = store().claim_due_rules("w1", 60, 100);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_TRUE(next[0].has_series);
}

// A claim takes a rule's definition from the store's cache unless the rule
// was edited since; its last value always comes from the row.
TEST_P(EngineStore, ClaimsSeeEditsAtOnceAndReuseUneditedDefinitions) {
  const auto rule = make_rule(std::nullopt, "none", 10);
  storage::AlertEngineStore engine(db(), clock);  // one store: one cache
  auto claim = [&] {
    for (int i = 0; i < 30; ++i, now += 1s)
      if (auto c = engine.claim_due_rules("w1", 60, 100); !c.empty()) return c.at(0);
    ADD_FAILURE() << "rule never became due";
    return storage::ClaimedRule{};
  };
  const auto first = claim();
  ASSERT_TRUE(first.rule);
  EXPECT_EQ(first.rule->threshold, 90);
  EXPECT_EQ(first.last_value, std::nullopt);
  engine.record(*first.rule, evaluation(rule.id, {}, "inactive"));  // last_value 95

  auto edited = rules().get(rule.id).value();
  edited.name = "cpu <busy>";
  edited.threshold = 50;
  ASSERT_TRUE(rules().update(edited, sentinel::testing::actor()));
  const auto second = claim();
  ASSERT_TRUE(second.rule);
  EXPECT_EQ(second.rule->id, rule.id);
  EXPECT_EQ(second.rule->name, "cpu <busy>");
  EXPECT_EQ(second.rule->threshold, 50);
  EXPECT_EQ(second.last_value, 95);

  auto ev = evaluation(rule.id, {}, "inactive");
  ev.last_value = 42;
  engine.record(*second.rule, ev);
  const auto third = claim();
  EXPECT_EQ(third.rule.get(), second.rule.get());  // not edited: the same definition, not read again
  EXPECT_EQ(third.last_value, 42);
}

TEST_P(EngineStore, AnEvaluationWithoutChangesStillUpdatesTheRule) {
  const auto rule = make_rule(std::nullopt, "none", 10);
  first_claim(rule.id);
  auto ev = evaluation(rule.id, {}, "error");
  ev.last_error = "Prometheus unavailable: connection refused";
  EXPECT_TRUE(store().record(rule, ev).empty());
  auto r = rules().get(rule.id).value();
  EXPECT_EQ(r.state, "error");
  EXPECT_EQ(r.last_error, "Prometheus unavailable: connection refused");
  EXPECT_EQ(r.last_evaluated_at, now);
  // The lease is given back: the next slot is claimable at once.
  now += 10s;
  EXPECT_EQ(store().claim_due_rules("w2", 60, 100).size(), 1u);
  // A rule deleted meanwhile: nothing to update, no error.
  ASSERT_TRUE(rules().remove(rule.id, sentinel::testing::actor()));
  EXPECT_NO_THROW(store().record(rule, evaluation(rule.id, {}, "inactive")));
}

TEST_P(EngineStore, ABatchRecordsEachEvaluationAsRecordDoes) {
  const auto fires = make_rule(std::nullopt, "webhook", 10);
  const auto quiet = make_rule(std::nullopt, "none", 10);
  const auto gone = make_rule(std::nullopt, "webhook", 10);
  for (const auto& r : {fires, quiet, gone}) first_claim(r.id);
  ASSERT_TRUE(rules().remove(gone.id, sentinel::testing::actor()));
  now += 1s;

  const auto fired = evaluation(fires.id, {firing("/", std::nullopt, 95)});
  const auto unchanged = evaluation(quiet.id, {}, "inactive");
  const auto deleted = evaluation(gone.id, {firing("/", std::nullopt, 95)});
  const std::vector<storage::Recording> batch{{fires, fired}, {quiet, unchanged}, {gone, deleted}};
  const auto recorded = store().record_batch(batch);

  ASSERT_EQ(recorded.size(), 3u);
  ASSERT_EQ(recorded[0].size(), 1u);
  EXPECT_EQ(recorded[0][0].kind, storage::Notification::firing);
  EXPECT_EQ(recorded[0][0].event.rule_id, fires.id);
  EXPECT_TRUE(recorded[1].empty());
  EXPECT_TRUE(recorded[2].empty()) << "a rule deleted meanwhile records nothing";
  EXPECT_EQ(store().load_series(fires.id).at(0).event_id, recorded[0][0].event.id);
  EXPECT_EQ(events().list({}).size(), 1u);
  const auto due = items_of(claim("d1"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].event_id, recorded[0][0].event.id);
  for (const auto& [rule, state] : {std::pair{fires, "firing"}, std::pair{quiet, "inactive"}}) {
    const auto r = rules().get(rule.id).value();
    EXPECT_EQ(r.state, state);
    EXPECT_EQ(r.last_evaluated_at, now);
  }
  // Both leases are given back: their next slots are claimable.
  now += 10s;
  EXPECT_EQ(store().claim_due_rules("w2", 60, 100).size(), 2u);
}

TEST_P(EngineStore, ABatchIsAllOrNothing) {
  const auto plain = make_rule(std::nullopt, "none", 10);
  const auto broken = make_rule(std::nullopt, "none", 10);
  first_claim(plain.id);
  first_claim(broken.id);
  const auto before = rules().get(plain.id).value();
  now += 1s;
  // A series pointing at an event that does not exist violates a foreign key.
  auto bad = firing("/", std::nullopt, 95);
  bad.notify = storage::Notification::none;
  bad.series.event_id = 999999;
  const auto ok = evaluation(plain.id, {}, "inactive");
  const auto failing = evaluation(broken.id, {bad});
  const std::vector<storage::Recording> batch{{plain, ok}, {broken, failing}};
  EXPECT_THROW(store().record_batch(batch), storage::DatabaseError);
  const auto after = rules().get(plain.id).value();
  EXPECT_EQ(after.last_evaluated_at, before.last_evaluated_at) << "the batch's other evaluation was rolled back";
  EXPECT_EQ(after.state, before.state);
  EXPECT_TRUE(store().load_series(broken.id).empty());
  // The connection is usable afterwards, its prepared statements too.
  EXPECT_NO_THROW(store().record(plain, ok));
  EXPECT_EQ(rules().get(plain.id).value().last_evaluated_at, now);
}

INSTANTIATE_TEST_SUITE_P(Dialects, EngineStore,
                         ::testing::Values(storage::Dialect::sqlite, storage::Dialect::postgresql),
                         sentinel::testing::dialect_name);
