// What the timelines do not show: the fields of the state, the rule
// adapter, rule edits, and the rule's overall state.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <vector>

#include "alerting/state_machine.hpp"

namespace sentinel::alerting {
namespace {

const core::Timestamp t0 = core::from_unix(1'700'000'000);
core::Timestamp at(std::int64_t s) { return t0 + std::chrono::seconds{s}; }

RuleCondition above_90(std::int64_t for_sec = 0, NoData no_data = NoData::ok) {
  RuleCondition c;
  c.threshold = 90;
  c.comparison = ">";
  c.for_sec = for_sec;
  c.repeat_interval_sec = 300;
  c.no_data = no_data;
  return c;
}

TEST(StateMachineFields, PendingRecordsWhenTheConditionBeganHolding) {
  const Step s1 = step({}, 95.0, above_90(60), at(0));
  const Step s2 = step(s1.next, 96.0, above_90(60), at(30));
  EXPECT_EQ(s2.next.phase, Phase::pending);
  EXPECT_EQ(s2.next.active_since, at(0));
  EXPECT_EQ(s2.next.last_value, 96.0);
  EXPECT_EQ(s2.next.last_seen_at, at(30));
}

TEST(StateMachineFields, FiringStartsANewUnacknowledgedEventAtNow) {
  SeriesState pending;
  pending.phase = Phase::pending;
  pending.active_since = at(0);
  pending.acknowledged = true;  // left over from nothing: must not leak into the new event
  const Step s = step(pending, 95.0, above_90(60), at(60));
  EXPECT_EQ(s.notify, Notify::firing);
  EXPECT_EQ(s.next.active_since, at(0));
  EXPECT_EQ(s.next.firing_since, at(60));
  EXPECT_EQ(s.next.last_notified_at, at(60));
  EXPECT_FALSE(s.next.event_id);  // the caller stores the id of the event it creates
  EXPECT_FALSE(s.next.acknowledged);
}

TEST(StateMachineFields, KeepsTheEventAndItsAckWhileFiring) {
  SeriesState firing;
  firing.phase = Phase::firing;
  firing.active_since = firing.firing_since = firing.last_notified_at = at(0);
  firing.event_id = 42;
  firing.acknowledged = true;
  const Step s = step(firing, 97.0, above_90(), at(1000));
  EXPECT_EQ(s.notify, Notify::none);
  EXPECT_EQ(s.next.event_id, 42);
  EXPECT_TRUE(s.next.acknowledged);
  EXPECT_EQ(s.next.last_notified_at, at(0));
  EXPECT_EQ(s.next.last_value, 97.0);
}

TEST(StateMachineFields, ResolutionClearsTheEventButKeepsTheObservations) {
  SeriesState firing;
  firing.phase = Phase::firing;
  firing.active_since = firing.firing_since = firing.last_notified_at = at(0);
  firing.event_id = 42;
  firing.acknowledged = true;
  const Step s = step(firing, 50.0, above_90(), at(60));
  EXPECT_EQ(s.notify, Notify::resolved);
  SeriesState expected;
  expected.last_value = 50.0;
  expected.last_seen_at = at(60);
  EXPECT_EQ(s.next, expected);
}

TEST(StateMachineFields, AbsenceDoesNotTouchTheLastSample) {
  SeriesState firing;
  firing.phase = Phase::firing;
  firing.active_since = firing.firing_since = firing.last_notified_at = at(0);
  firing.last_value = 95.0;
  firing.last_seen_at = at(0);
  firing.event_id = 1;
  const Step s = step(firing, std::nullopt, above_90(0, NoData::keep_last), at(60));
  EXPECT_EQ(s.next, firing);
}

TEST(StateMachineFields, IsPure) {
  SeriesState pending;
  pending.phase = Phase::pending;
  pending.active_since = at(0);
  const Step a = step(pending, 95.0, above_90(60), at(60));
  const Step b = step(pending, 95.0, above_90(60), at(60));
  EXPECT_EQ(a.next, b.next);
  EXPECT_EQ(a.notify, b.notify);
  EXPECT_EQ(pending.phase, Phase::pending);
}

TEST(StateMachineCondition, ReadsTheRule) {
  domain::AlertRule r;
  r.threshold = 85.5;
  r.comparison = "<=";
  r.recovery_threshold = 95.0;
  r.for_sec = 120;
  r.repeat_interval_sec = 0;
  r.no_data_state = "keep_last";
  const RuleCondition c = condition_of(r);
  EXPECT_EQ(c.threshold, 85.5);
  EXPECT_EQ(c.comparison, "<=");
  EXPECT_EQ(c.recovery_threshold, 95.0);
  EXPECT_EQ(c.for_sec, 120);
  EXPECT_EQ(c.repeat_interval_sec, 0);
  EXPECT_EQ(c.no_data, NoData::keep_last);
}

TEST(StateMachineCondition, NoDataStates) {
  domain::AlertRule r;
  EXPECT_EQ(condition_of(r).no_data, NoData::ok);  // the default
  r.no_data_state = "alerting";
  EXPECT_EQ(condition_of(r).no_data, NoData::alerting);
  r.no_data_state = "ok";
  EXPECT_EQ(condition_of(r).no_data, NoData::ok);
  r.no_data_state = "bogus";  // validation refuses it; the default applies
  EXPECT_EQ(condition_of(r).no_data, NoData::ok);
}

TEST(StateMachineRuleChange, WhatCountsAsAConditionChange) {
  const domain::AlertRule before;
  auto changed = [&](auto edit) {
    domain::AlertRule after = before;
    edit(after);
    return condition_changed(before, after);
  };
  EXPECT_FALSE(changed([](domain::AlertRule&) {}));
  EXPECT_TRUE(changed([](domain::AlertRule& r) { r.promql = "up == 0"; }));
  EXPECT_TRUE(changed([](domain::AlertRule& r) { r.server_id = 3; }));
  EXPECT_TRUE(changed([](domain::AlertRule& r) { r.threshold = 1; }));
  EXPECT_TRUE(changed([](domain::AlertRule& r) { r.comparison = "<"; }));
  EXPECT_FALSE(changed([](domain::AlertRule& r) { r.for_sec = 60; }));
  EXPECT_FALSE(changed([](domain::AlertRule& r) { r.repeat_interval_sec = 60; }));
  EXPECT_FALSE(changed([](domain::AlertRule& r) { r.recovery_threshold = -1; }));
  EXPECT_FALSE(changed([](domain::AlertRule& r) { r.no_data_state = "alerting"; }));
  EXPECT_FALSE(changed([](domain::AlertRule& r) { r.name = "renamed"; }));
  EXPECT_FALSE(changed([](domain::AlertRule& r) { r.severity = "critical"; }));
}

TEST(StateMachineRuleChange, PendingGoesBackToInactive) {
  SeriesState pending;
  pending.phase = Phase::pending;
  pending.active_since = at(0);
  pending.last_value = 95.0;
  const Step s = on_rule_changed(pending, true, above_90(60));
  EXPECT_EQ(s.next.phase, Phase::inactive);
  EXPECT_FALSE(s.next.active_since);
  EXPECT_EQ(s.next.last_value, 95.0);
  EXPECT_EQ(s.notify, Notify::none);
  EXPECT_TRUE(s.forget);
  EXPECT_FALSE(on_rule_changed(pending, true, above_90(60, NoData::alerting)).forget);
  // Still holding the new condition: pending starts over, for_sec from now.
  const Step again = step(s.next, 95.0, above_90(60), at(30));
  EXPECT_EQ(again.next.phase, Phase::pending);
  EXPECT_EQ(again.next.active_since, at(30));
}

TEST(StateMachineRuleChange, PendingStaysWhenOnlyOtherFieldsChanged) {
  SeriesState pending;
  pending.phase = Phase::pending;
  pending.active_since = at(0);
  const Step s = on_rule_changed(pending, false, above_90(60));
  EXPECT_EQ(s.next, pending);
  EXPECT_FALSE(s.forget);
}

TEST(StateMachineRuleChange, FiringStaysFiringWithItsEvent) {
  SeriesState firing;
  firing.phase = Phase::firing;
  firing.active_since = firing.firing_since = firing.last_notified_at = at(0);
  firing.event_id = 42;
  const Step s = on_rule_changed(firing, true, above_90());
  EXPECT_EQ(s.next, firing);
  EXPECT_EQ(s.notify, Notify::none);
  EXPECT_FALSE(s.forget);
  // The next evaluation judges it by the new condition, without re-firing.
  RuleCondition higher = above_90();
  higher.threshold = 99;
  EXPECT_EQ(step(s.next, 95.0, higher, at(60)).notify, Notify::resolved);
  EXPECT_EQ(step(s.next, 100.0, higher, at(60)).notify, Notify::none);
}

// product.md §10: a rule without threshold and comparison fires for every
// series its query returns, as a Prometheus alerting rule does.
RuleCondition every_series(std::int64_t for_sec = 0, std::int64_t keep_firing_for_sec = 0) {
  RuleCondition c;
  c.threshold = std::nullopt;
  c.comparison = std::nullopt;
  c.for_sec = for_sec;
  c.keep_firing_for_sec = keep_firing_for_sec;
  c.repeat_interval_sec = 300;
  return c;
}

TEST(StateMachineEverySeries, AnyPresentSampleHoldsWhateverItsValue) {
  for (const double v : {0.0, -5.0, 1e9, std::nan("")}) {
    const Step s = step({}, v, every_series(), at(0));
    EXPECT_EQ(s.notify, Notify::firing) << v;
  }
}

TEST(StateMachineEverySeries, ForSecStillHoldsItPendingThenItFiresAndResolvesWhenTheSeriesLeaves) {
  const Step s1 = step({}, 1.0, every_series(60), at(0));
  EXPECT_EQ(s1.next.phase, Phase::pending);
  const Step s2 = step(s1.next, 0.0, every_series(60), at(60));
  EXPECT_EQ(s2.notify, Notify::firing);
  SeriesState firing = s2.next;
  firing.event_id = 7;
  const Step s3 = step(firing, std::nullopt, every_series(60), at(90));
  EXPECT_EQ(s3.notify, Notify::resolved);
  EXPECT_EQ(s3.next.phase, Phase::inactive);
}

TEST(StateMachineKeepFiringFor, KeepsFiringUntilTheConditionHasNotHeldForThatLong) {
  const RuleCondition rule = every_series(0, 120);
  SeriesState firing = step({}, 1.0, rule, at(0)).next;
  firing.event_id = 7;
  const Step gone = step(firing, std::nullopt, rule, at(30));
  EXPECT_EQ(gone.notify, Notify::none);
  EXPECT_EQ(gone.next.phase, Phase::firing);
  EXPECT_EQ(gone.next.keep_firing_since, at(30));
  EXPECT_EQ(gone.next.event_id, 7);
  const Step still = step(gone.next, std::nullopt, rule, at(149));
  EXPECT_EQ(still.next.phase, Phase::firing);
  const Step resolved = step(still.next, std::nullopt, rule, at(150));
  EXPECT_EQ(resolved.notify, Notify::resolved);
  EXPECT_FALSE(resolved.next.keep_firing_since);
}

TEST(StateMachineKeepFiringFor, HoldingAgainRestartsTheWait) {
  RuleCondition rule = above_90();
  rule.keep_firing_for_sec = 60;
  SeriesState firing = step({}, 95.0, rule, at(0)).next;
  firing.event_id = 7;
  const Step below = step(firing, 50.0, rule, at(10));
  EXPECT_EQ(below.next.keep_firing_since, at(10));
  const Step above = step(below.next, 95.0, rule, at(40));
  EXPECT_EQ(above.next.phase, Phase::firing);
  EXPECT_FALSE(above.next.keep_firing_since);
  const Step below_again = step(above.next, 50.0, rule, at(90));
  EXPECT_EQ(below_again.notify, Notify::none) << "the wait starts again at 90, not at 10";
  EXPECT_EQ(step(below_again.next, 50.0, rule, at(150)).notify, Notify::resolved);
}

TEST(StateMachineKeepFiringFor, DoesNotApplyToAPendingSeries) {
  RuleCondition rule = every_series(60, 600);
  const Step pending = step({}, 1.0, rule, at(0));
  const Step gone = step(pending.next, std::nullopt, rule, at(30));
  EXPECT_EQ(gone.next.phase, Phase::inactive);
}

TEST(StateMachinePhase, StringsRoundTrip) {
  for (Phase p : {Phase::inactive, Phase::pending, Phase::firing}) EXPECT_EQ(phase_from_string(to_string(p)), p);
  EXPECT_EQ(to_string(Phase::pending), "pending");
  EXPECT_FALSE(phase_from_string("error"));
  EXPECT_FALSE(phase_from_string("Firing"));
  EXPECT_FALSE(phase_from_string(""));
}

TEST(StateMachinePhase, RulePhaseIsTheMostUrgentSeries) {
  EXPECT_EQ(rule_phase({}), Phase::inactive);
  EXPECT_EQ(rule_phase(std::vector{Phase::inactive, Phase::inactive}), Phase::inactive);
  EXPECT_EQ(rule_phase(std::vector{Phase::inactive, Phase::pending}), Phase::pending);
  EXPECT_EQ(rule_phase(std::vector{Phase::pending, Phase::firing, Phase::inactive}), Phase::firing);
}

}  // namespace
}  // namespace sentinel::alerting
