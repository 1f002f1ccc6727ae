// Where notifications go and when (product.md §9), on SQLite and PostgreSQL:
// a rule's targets (environment channel, channel_ids, severity defaults,
// send_resolved), grouping through the outbox (group_wait collects a burst
// into one group, group_interval paces later changes), Alertmanager
// re-sends, and the delivery records the API shows.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "crypto/secret_box.hpp"
#include "domain/channel.hpp"
#include "engine_store_fixture.hpp"
#include "storage/channel_repository.hpp"

using namespace sentinel;
using namespace std::chrono_literals;

namespace {

class Routing : public sentinel::testing::EngineStore {
 protected:
  crypto::SecretBox box{std::string(64, 'k')};

  std::int64_t make_channel(const std::string& json) {
    auto in = domain::parse_channel_create(boost::json::parse(json));
    EXPECT_TRUE(in);
    auto c = storage::ChannelRepository(db(), box, clock).create(*in, sentinel::testing::actor());
    EXPECT_TRUE(c) << (c ? "" : c.error().detail);
    return c ? c->id : 0;
  }
  std::int64_t slack(const std::string& name, const std::string& extra = "") {
    return make_channel(R"({"name": ")" + name +
                        R"(", "type": "slack", "settings": {"webhook_url": "https://hooks.slack.com/services/T/B/x"})" +
                        extra + "}");
  }
  domain::AlertRule routed_rule(std::string channel, std::vector<std::int64_t> channel_ids,
                                std::string severity = "warning") {
    auto rule = make_rule(std::nullopt, std::move(channel));
    rule.channel_ids = std::move(channel_ids);
    rule.severity = std::move(severity);
    EXPECT_TRUE(rules().update(rule, sentinel::testing::actor()));
    return rules().get(rule.id).value();
  }
  std::vector<storage::SeriesUpdate> burst(int n) {
    std::vector<storage::SeriesUpdate> out;
    for (int i = 0; i < n; ++i) out.push_back(firing("host-" + std::to_string(i), std::nullopt, 100 + i));
    return out;
  }
  std::set<std::string> targets_of(const std::vector<storage::OutboxGroup>& groups) {
    std::set<std::string> out;
    for (const auto& g : groups) out.insert(g.channel);
    return out;
  }
};

TEST_P(Routing, ARuleGoesToItsEnvironmentChannelAndItsChannels) {
  routing.telegram_configured = true;
  const auto a = slack("ops"), b = slack("dev");
  const auto rule = routed_rule("telegram", {a, b});
  first_claim(rule.id);
  store().record(rule, evaluation(rule.id, {firing("/", std::nullopt, 95)}));
  EXPECT_EQ(targets_of(claim("d")), (std::set<std::string>{"telegram", "#" + std::to_string(a), "#" + std::to_string(b)}));
}

TEST_P(Routing, ARuleThatNamesNoChannelGoesToTheDefaultsForItsSeverity) {
  const auto critical = slack("pager", R"(, "default_for_severities": ["critical"])");
  slack("chat", R"(, "default_for_severities": ["warning"])");
  // "telegram" is every rule's default channel; not configured here.
  const auto rule = routed_rule("telegram", {}, "critical");
  first_claim(rule.id);
  store().record(rule, evaluation(rule.id, {firing("/", std::nullopt, 95)}));
  EXPECT_EQ(targets_of(claim("d")), (std::set<std::string>{"#" + std::to_string(critical)}));
}

TEST_P(Routing, WithNowhereToGoTheNamedEnvironmentChannelFailsVisibly) {
  const auto rule = routed_rule("webhook", {}, "info");
  first_claim(rule.id);
  store().record(rule, evaluation(rule.id, {firing("/", std::nullopt, 95)}));
  EXPECT_EQ(targets_of(claim("d")), (std::set<std::string>{"webhook"}));
}

TEST_P(Routing, ChannelNoneSendsOnlyToTheRulesOwnChannels) {
  slack("chat", R"(, "default_for_severities": ["warning"])");
  const auto mine = slack("mine");
  const auto quiet = routed_rule("none", {});
  const auto own = routed_rule("none", {mine});
  first_claim(quiet.id);
  first_claim(own.id);
  const auto silent = store().record(quiet, evaluation(quiet.id, {firing("q", std::nullopt, 95)}));
  EXPECT_EQ(silent.at(0).event.notification_status, "suppressed");
  store().record(own, evaluation(own.id, {firing("o", std::nullopt, 95)}));
  EXPECT_EQ(targets_of(claim("d")), (std::set<std::string>{"#" + std::to_string(mine)}));
}

TEST_P(Routing, AChannelWithoutSendResolvedGetsNoResolutions) {
  const auto loud = slack("loud"), firing_only = slack("firing only", R"(, "send_resolved": false)");
  const auto rule = routed_rule("none", {loud, firing_only});
  first_claim(rule.id);
  store().record(rule, evaluation(rule.id, {firing("/", std::nullopt, 95)}));
  for (const auto& g : claim("d")) outbox().mark_sent(g);
  now += 60s;
  store().record(rule, evaluation(rule.id, resolve_all(rule.id), "inactive"));
  const auto due = claim("d");
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].channel, "#" + std::to_string(loud));
  EXPECT_EQ(due[0].kind, "resolved");
}

// A fleet rule firing on 300 hosts at once is one group (one message) per
// target after group_wait; a lone later change waits for group_interval
// after it; the group's resolution likewise.
TEST_P(Routing, GroupWaitCollectsABurstAndGroupIntervalPacesChanges) {
  routing = {.webhook_configured = true, .group_wait_sec = 30, .group_interval_sec = 300};
  const auto ops = slack("ops");
  const auto rule = routed_rule("webhook", {ops});
  first_claim(rule.id);
  const auto start = now;
  store().record(rule, evaluation(rule.id, burst(150)));
  now += 10s;  // more of the burst, within group_wait: the same group
  auto rest = burst(300);
  rest.erase(rest.begin(), rest.begin() + 150);
  store().record(rule, evaluation(rule.id, rest));
  EXPECT_EQ(outbox().next_due_at(), start + 30s);

  now = start + 29s;
  EXPECT_TRUE(claim("d").empty()) << "a group waits group_wait for more of its alerts";
  now = start + 30s;
  const auto groups = claim("d");
  ASSERT_EQ(groups.size(), 2u);
  for (const auto& g : groups) {
    EXPECT_EQ(g.items.size(), 300u) << g.channel;
    EXPECT_EQ(g.kind, "firing");
    outbox().mark_sent(g);
  }

  now = start + 40s;  // one more host: the group went out 10 s ago
  store().record(rule, evaluation(rule.id, {firing("late", std::nullopt, 99)}));
  now = start + 329s;
  EXPECT_TRUE(claim("d").empty()) << "later changes wait for group_interval";
  now = start + 330s;
  auto late = claim("d");
  ASSERT_EQ(late.size(), 2u);
  EXPECT_EQ(late[0].items.size(), 1u);
  for (const auto& g : late) outbox().mark_sent(g);

  now = start + 1000s;  // long after: a change waits group_wait only
  store().record(rule, evaluation(rule.id, resolve_all(rule.id), "inactive"));
  EXPECT_EQ(outbox().next_due_at(), now + 30s);
  now += 30s;
  const auto resolved = claim("d");
  ASSERT_EQ(resolved.size(), 2u);
  for (const auto& g : resolved) {
    EXPECT_EQ(g.kind, "resolved");
    EXPECT_EQ(g.items.size(), 301u);
  }
}

TEST_P(Routing, ARulesOwnGroupingOverridesTheDefaults) {
  routing = {.webhook_configured = true, .group_wait_sec = 30, .group_interval_sec = 300};
  auto rule = make_rule(std::nullopt, "webhook");
  rule.group_wait_sec = 0;
  ASSERT_TRUE(rules().update(rule, sentinel::testing::actor()));
  rule = rules().get(rule.id).value();
  first_claim(rule.id);
  store().record(rule, evaluation(rule.id, {firing("/", std::nullopt, 95)}));
  EXPECT_EQ(claim("d").size(), 1u) << "group_wait_sec 0: at once";
}

// Alertmanager forgets an alert not sent again before its endsAt: each
// firing alert is re-sent until it resolves; the resolution cancels the
// waiting re-send and is not held back by it.
TEST_P(Routing, AlertmanagerResendsUntilResolved) {
  const auto am =
      make_channel(R"({"name": "am", "type": "alertmanager", "settings": {"urls": ["http://127.0.0.1:9093"]}})");
  const auto rule = routed_rule("none", {am});
  first_claim(rule.id);
  const auto id = store().record(rule, evaluation(rule.id, {firing("/", std::nullopt, 95)})).at(0).event.id;
  auto first = claim("d");
  ASSERT_EQ(first.size(), 1u);
  outbox().mark_sent(first[0], now + 60s);

  now += 59s;
  EXPECT_TRUE(claim("d").empty());
  now += 1s;
  auto resend = claim("d");
  ASSERT_EQ(resend.size(), 1u);
  EXPECT_EQ(resend[0].kind, "resend");
  EXPECT_EQ(resend[0].items.at(0).event_id, id);
  outbox().mark_sent(resend[0], now + 60s);
  EXPECT_EQ(outbox().pending_count(), 1) << "the next re-send, and no history of this one";

  now += 20s;
  store().record(rule, evaluation(rule.id, resolve_all(rule.id), "inactive"));
  auto resolved = claim("d");
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].kind, "resolved");
  outbox().mark_sent(resolved[0], now + 60s);
  EXPECT_EQ(outbox().pending_count(), 0) << "no re-send of a resolved alert";

  const auto records = outbox().for_event(id);
  ASSERT_EQ(records.size(), 2u) << "re-sends are not listed";
  EXPECT_EQ(records[0].kind, "firing");
  EXPECT_EQ(records[1].kind, "resolved");
}

TEST_P(Routing, DeliveriesAreRecordedPerEventAndChannel) {
  routing.webhook_configured = true;
  const auto ops = slack("ops");
  const auto rule = routed_rule("webhook", {ops});
  first_claim(rule.id);
  const auto id = store().record(rule, evaluation(rule.id, {firing("/", std::nullopt, 95)})).at(0).event.id;
  for (const auto& g : claim("d")) {
    if (g.channel == "webhook") outbox().mark_sent(g);
    else outbox().mark_retry(g, now + 10s, "HTTP 503 from hooks.slack.com");
  }
  const auto records = outbox().for_event(id);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].channel, "webhook");
  EXPECT_EQ(records[0].type, "webhook");
  EXPECT_FALSE(records[0].channel_id);
  EXPECT_EQ(records[0].status, "sent");
  EXPECT_EQ(records[0].sent_at, now);
  EXPECT_EQ(records[0].attempts, 1);
  EXPECT_EQ(records[1].channel_id, ops);
  EXPECT_EQ(records[1].channel, "ops");
  EXPECT_EQ(records[1].type, "slack");
  EXPECT_EQ(records[1].status, "pending");
  EXPECT_EQ(records[1].last_error, "HTTP 503 from hooks.slack.com");
  EXPECT_EQ(records[1].next_attempt_at, now + 10s);
  EXPECT_FALSE(records[1].sent_at);

  const auto last = outbox().for_channel(ops, 10);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].event_id, id);
  EXPECT_EQ(last[0].rule_name, "cpu");
  EXPECT_TRUE(outbox().for_channel(ops + 100, 10).empty());
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Dialects, Routing,
                         ::testing::Values(storage::Dialect::sqlite, storage::Dialect::postgresql),
                         sentinel::testing::dialect_name);
