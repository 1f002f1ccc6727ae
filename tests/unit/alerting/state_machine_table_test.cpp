// The state machine driven through timelines: each case is a rule and a
// sequence of evaluations (seconds after t0, the series' sample or its
// absence) with the phase, notification and forget flag expected after each.
// The clock is the `now` each step is given; nothing reads the real time.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "alerting/state_machine.hpp"

namespace sentinel::alerting {

void PrintTo(Notify n, std::ostream* os) {
  constexpr const char* names[] = {"none", "firing", "repeat", "resolved"};
  *os << names[static_cast<int>(n)];
}
void PrintTo(Phase p, std::ostream* os) { *os << to_string(p); }

namespace {

const core::Timestamp t0 = core::from_unix(1'700'000'000);
constexpr std::optional<double> absent = std::nullopt;
const double nan = std::numeric_limits<double>::quiet_NaN();

constexpr Phase inactive = Phase::inactive;
constexpr Phase pending = Phase::pending;
constexpr Phase firing = Phase::firing;
constexpr Notify none = Notify::none;
constexpr Notify fire = Notify::firing;
constexpr Notify repeat = Notify::repeat;
constexpr Notify resolved = Notify::resolved;
constexpr bool keep = false;
constexpr bool forget = true;
constexpr bool acked = true;  // the open event is acknowledged before this evaluation

struct Tick {
  std::int64_t at;               // seconds after t0
  std::optional<double> sample;  // absent: the series is not in the result
  Phase phase;
  Notify notify;
  bool forget = false;
  bool ack_before = false;
};

struct Case {
  std::string name;
  RuleCondition rule;
  std::vector<Tick> ticks;
  SeriesState start{};  // as loaded from the database
};

// rule(">", 90).held(60).every(300).recovery(80).no_data(NoData::alerting)
struct RuleBuilder {
  RuleCondition c;
  RuleBuilder held(std::int64_t s) const { auto b = *this; b.c.for_sec = s; return b; }
  RuleBuilder every(std::int64_t s) const { auto b = *this; b.c.repeat_interval_sec = s; return b; }
  RuleBuilder recovery(double r) const { auto b = *this; b.c.recovery_threshold = r; return b; }
  RuleBuilder no_data(NoData n) const { auto b = *this; b.c.no_data = n; return b; }
  operator RuleCondition() const { return c; }  // NOLINT: implicit on purpose, for the table
};
RuleBuilder rule(std::string comparison, double threshold) {
  RuleBuilder b;
  b.c.comparison = std::move(comparison);
  b.c.threshold = threshold;
  b.c.repeat_interval_sec = 0;
  return b;
}

SeriesState stored_firing(std::int64_t since, std::int64_t notified, std::int64_t event_id) {
  SeriesState s;
  s.phase = Phase::firing;
  s.active_since = t0 + std::chrono::seconds{since};
  s.firing_since = s.active_since;
  s.last_notified_at = t0 + std::chrono::seconds{notified};
  s.last_value = 95;
  s.last_seen_at = t0 + std::chrono::seconds{notified};
  s.event_id = event_id;
  return s;
}

SeriesState stored_pending(std::int64_t since) {
  SeriesState s;
  s.phase = Phase::pending;
  s.active_since = t0 + std::chrono::seconds{since};
  return s;
}

const std::vector<Case> cases = {
    // --- inactive → pending → firing → resolved, and for_sec --------------
    {"below_threshold_stays_inactive_and_may_be_forgotten", rule(">", 90),
     {{0, 50.0, inactive, none, forget}, {60, 90.0, inactive, none, forget}}},
    {"for_0_fires_on_the_first_sample_that_holds", rule(">", 90),
     {{0, 95.0, firing, fire}, {60, 99.0, firing, none}, {120, 50.0, inactive, resolved, forget}}},
    {"for_sec_pending_until_exactly_for_sec_then_fires", rule(">", 90).held(120),
     {{0, 95.0, pending, none},
      {60, 95.0, pending, none},
      {119, 95.0, pending, none},
      {120, 95.0, firing, fire},
      {180, 95.0, firing, none},
      {240, 10.0, inactive, resolved, forget}}},
    {"pending_back_to_inactive_when_condition_stops_and_restarts_from_zero", rule(">", 90).held(120),
     {{0, 95.0, pending, none},
      {60, 80.0, inactive, none, forget},
      {120, 95.0, pending, none},
      {239, 95.0, pending, none},
      {240, 95.0, firing, fire}}},
    {"resolved_series_fires_again_as_a_new_event", rule(">", 90).held(60),
     {{0, 95.0, pending, none},
      {60, 95.0, firing, fire},
      {120, 50.0, inactive, resolved, forget},
      {180, 95.0, pending, none},
      {240, 95.0, firing, fire}}},
    {"ge_fires_at_the_threshold_itself", rule(">=", 90),
     {{0, 89.9, inactive, none, forget}, {60, 90.0, firing, fire}, {120, 89.9, inactive, resolved, forget}}},
    {"lt_mirrors_gt", rule("<", 10).held(60),
     {{0, 10.0, inactive, none, forget},
      {60, 9.0, pending, none},
      {120, 5.0, firing, fire},
      {180, 10.0, inactive, resolved, forget}}},
    {"ne_fires_while_different", rule("!=", 1),
     {{0, 1.0, inactive, none, forget}, {60, 2.0, firing, fire}, {120, 1.0, inactive, resolved, forget}}},

    // --- repeats -----------------------------------------------------------
    {"repeat_exactly_every_repeat_interval", rule(">", 90).every(300),
     {{0, 95.0, firing, fire},
      {299, 95.0, firing, none},
      {300, 95.0, firing, repeat},
      {599, 95.0, firing, none},
      {600, 95.0, firing, repeat}}},
    {"repeat_counts_from_the_last_notification_not_a_fixed_grid", rule(">", 90).every(300),
     {{0, 95.0, firing, fire}, {450, 95.0, firing, repeat}, {700, 95.0, firing, none}, {750, 95.0, firing, repeat}}},
    {"repeat_counts_from_firing_not_from_pending", rule(">", 90).held(120).every(300),
     {{0, 95.0, pending, none}, {120, 95.0, firing, fire}, {300, 95.0, firing, none}, {420, 95.0, firing, repeat}}},
    {"repeat_interval_0_never_repeats", rule(">", 90).every(0),
     {{0, 95.0, firing, fire}, {300, 95.0, firing, none}, {86'400, 95.0, firing, none}}},

    // --- ack: stops repeats, not resolution; a new event is not acked -------
    {"ack_stops_repeats_but_not_resolution", rule(">", 90).every(300),
     {{0, 95.0, firing, fire},
      {300, 95.0, firing, repeat},
      {400, 95.0, firing, none, keep, acked},
      {600, 95.0, firing, none},
      {900, 95.0, firing, none},
      {1000, 50.0, inactive, resolved, forget},
      {1100, 95.0, firing, fire},
      {1400, 95.0, firing, repeat}}},

    // --- silence: not an input. A silenced series transitions and asks for
    // its notifications as usual; the outbox writer marks them suppressed.
    {"silenced_series_still_fires_repeats_and_resolves", rule(">", 90).every(60),
     {{0, 95.0, firing, fire}, {60, 95.0, firing, repeat}, {90, 50.0, inactive, resolved, forget}}},

    // --- hysteresis --------------------------------------------------------
    {"hysteresis_gt_keeps_firing_until_at_or_below_recovery", rule(">", 90).recovery(80),
     {{0, 95.0, firing, fire},
      {60, 85.0, firing, none},
      {120, 80.5, firing, none},
      {180, 80.0, inactive, resolved, forget},
      {240, 85.0, inactive, none, forget}}},  // between the thresholds: does not fire again
    {"hysteresis_ge_keeps_firing_down_to_recovery_itself", rule(">=", 90).recovery(80),
     {{0, 90.0, firing, fire}, {60, 80.0, firing, none}, {120, 79.9, inactive, resolved, forget}}},
    {"hysteresis_lt_keeps_firing_until_at_or_above_recovery", rule("<", 10).recovery(20),
     {{0, 5.0, firing, fire},
      {60, 15.0, firing, none},
      {120, 19.9, firing, none},
      {180, 20.0, inactive, resolved, forget}}},
    {"hysteresis_le_keeps_firing_up_to_recovery_itself", rule("<=", 10).recovery(20),
     {{0, 10.0, firing, fire}, {60, 20.0, firing, none}, {120, 20.1, inactive, resolved, forget}}},
    {"hysteresis_does_not_apply_to_pending", rule(">", 90).recovery(80).held(60),
     {{0, 95.0, pending, none}, {30, 85.0, inactive, none, forget}}},
    {"hysteresis_recovery_equal_to_threshold_is_the_plain_condition", rule(">", 90).recovery(90),
     {{0, 95.0, firing, fire}, {60, 90.0, inactive, resolved, forget}}},
    {"hysteresis_repeats_while_between_the_thresholds", rule(">", 90).recovery(80).every(300),
     {{0, 95.0, firing, fire}, {300, 85.0, firing, repeat}}},
    {"recovery_threshold_ignored_for_eq", rule("==", 1).recovery(5),
     {{0, 1.0, firing, fire}, {60, 1.0, firing, none}, {120, 3.0, inactive, resolved, forget}}},
    {"recovery_threshold_ignored_for_ne", rule("!=", 0).recovery(5),
     {{0, 5.0, firing, fire}, {60, 5.0, firing, none}, {120, 0.0, inactive, resolved, forget}}},

    // --- NaN never holds ---------------------------------------------------
    {"nan_does_not_start_anything", rule("<", 10), {{0, nan, inactive, none, forget}}},
    {"nan_ends_pending", rule(">", 90).held(60), {{0, 95.0, pending, none}, {30, nan, inactive, none, forget}}},
    {"nan_resolves_firing", rule(">", 90), {{0, 95.0, firing, fire}, {60, nan, inactive, resolved, forget}}},
    {"nan_resolves_firing_with_hysteresis", rule(">", 90).recovery(80),
     {{0, 95.0, firing, fire}, {60, nan, inactive, resolved, forget}}},
    {"nan_under_no_data_alerting_is_a_sample_not_an_absence", rule(">", 90).no_data(NoData::alerting),
     {{0, nan, inactive, none, keep}}},

    // --- disappearance, per no_data_state -----------------------------------
    {"no_data_ok_resolves_a_firing_series_that_disappears", rule(">", 90).no_data(NoData::ok),
     {{0, 95.0, firing, fire}, {60, absent, inactive, resolved, forget}}},
    {"no_data_ok_drops_a_pending_series_that_disappears", rule(">", 90).held(120).no_data(NoData::ok),
     {{0, 95.0, pending, none}, {60, absent, inactive, none, forget}, {120, 95.0, pending, none}}},
    {"no_data_ok_forgets_an_inactive_series", rule(">", 90).no_data(NoData::ok),
     {{0, 50.0, inactive, none, forget}, {60, absent, inactive, none, forget}}},
    {"no_data_alerting_absence_holds_through_pending_and_repeats",
     rule(">", 90).held(60).every(300).no_data(NoData::alerting),
     {{0, 50.0, inactive, none, keep},  // remembered: its absence must be noticed
      {60, absent, pending, none},
      {119, absent, pending, none},
      {120, absent, firing, fire},
      {420, absent, firing, repeat},
      {480, 50.0, inactive, resolved, keep}}},
    {"no_data_alerting_for_0_fires_at_once", rule(">", 90).no_data(NoData::alerting),
     {{0, 50.0, inactive, none, keep},
      {60, absent, firing, fire},
      {120, 95.0, firing, none},
      {180, 10.0, inactive, resolved, keep}}},
    {"no_data_alerting_pending_from_a_sample_continues_while_absent", rule(">", 90).held(120).no_data(NoData::alerting),
     {{0, 95.0, pending, none}, {60, absent, pending, none}, {120, absent, firing, fire}}},
    {"no_data_alerting_data_back_below_ends_pending", rule(">", 90).held(120).no_data(NoData::alerting),
     {{0, absent, pending, none}, {60, 50.0, inactive, none, keep}}},
    {"no_data_keep_last_firing_stays_firing_and_repeats", rule(">", 90).every(300).no_data(NoData::keep_last),
     {{0, 95.0, firing, fire},
      {60, absent, firing, none},
      {300, absent, firing, repeat},
      {360, 95.0, firing, none},
      {420, 50.0, inactive, resolved, forget}}},
    {"no_data_keep_last_firing_resolves_when_data_returns_below", rule(">", 90).no_data(NoData::keep_last),
     {{0, 95.0, firing, fire}, {60, absent, firing, none}, {120, 50.0, inactive, resolved, forget}}},
    {"no_data_keep_last_pending_waits_for_data_and_counts_the_gap", rule(">", 90).held(120).no_data(NoData::keep_last),
     {{0, 95.0, pending, none}, {60, absent, pending, none}, {300, absent, pending, none}, {360, 95.0, firing, fire}}},
    {"no_data_keep_last_pending_drops_when_data_returns_below", rule(">", 90).held(120).no_data(NoData::keep_last),
     {{0, 95.0, pending, none}, {60, absent, pending, none}, {120, 50.0, inactive, none, forget}}},
    {"no_data_keep_last_inactive_stays_inactive", rule(">", 90).no_data(NoData::keep_last),
     {{0, 50.0, inactive, none, forget}, {60, absent, inactive, none, forget}}},

    // --- a failed evaluation calls no step: the series resumes as it was ----
    {"failed_evaluations_in_between_change_nothing", rule(">", 90).held(120).every(300),
     {{0, 95.0, pending, none},
      // evaluations at 60 and 120 failed: no step
      {180, 95.0, firing, fire},
      // evaluations from 240 to 600 failed: no step
      {660, 95.0, firing, repeat}}},

    // --- restart: the state comes back from the database --------------------
    {"restart_does_not_refire_a_stored_firing_series", rule(">", 90).every(300),
     {{0, 95.0, firing, none}, {199, 95.0, firing, none}, {200, 95.0, firing, repeat}},
     stored_firing(-1000, -100, 7)},
    {"restart_resolves_a_stored_firing_series", rule(">", 90), {{0, 50.0, inactive, resolved, forget}},
     stored_firing(-1000, -100, 7)},
    {"restart_resumes_a_stored_pending_series", rule(">", 90).held(60),
     {{9, 95.0, pending, none}, {10, 95.0, firing, fire}}, stored_pending(-50)},

    // --- a clock that steps back neither promotes nor repeats ---------------
    {"clock_step_back_neither_promotes_nor_repeats", rule(">", 90).held(60).every(300),
     {{0, 95.0, pending, none}, {-30, 95.0, pending, none}, {60, 95.0, firing, fire}, {-100, 95.0, firing, none}}},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class StepTable : public ::testing::TestWithParam<Case> {};

TEST_P(StepTable, Follows) {
  const Case& c = GetParam();
  SeriesState state = c.start;
  std::int64_t next_event_id = 100;
  for (const Tick& tick : c.ticks) {
    SCOPED_TRACE("evaluation at t0" + std::string(tick.at < 0 ? "" : "+") + std::to_string(tick.at) + "s");
    if (tick.ack_before) {
      ASSERT_TRUE(state.event_id) << "ack needs an open event";
      state.acknowledged = true;
    }
    const Step r = step(state, tick.sample, c.rule, t0 + std::chrono::seconds{tick.at});
    EXPECT_EQ(r.next.phase, tick.phase);
    EXPECT_EQ(r.notify, tick.notify);
    EXPECT_EQ(r.forget, tick.forget);
    // Invariants of every state the machine hands back.
    switch (r.next.phase) {
      case Phase::inactive:
        EXPECT_FALSE(r.next.active_since || r.next.firing_since || r.next.last_notified_at || r.next.event_id ||
                     r.next.acknowledged);
        break;
      case Phase::pending: EXPECT_TRUE(r.next.active_since && !r.next.firing_since && !r.next.event_id); break;
      case Phase::firing: EXPECT_TRUE(r.next.active_since && r.next.firing_since && r.next.last_notified_at); break;
    }
    if (r.notify == Notify::firing || r.notify == Notify::repeat) {
      EXPECT_EQ(r.next.last_notified_at, t0 + std::chrono::seconds{tick.at});
    }
    if (r.notify == Notify::repeat || r.notify == Notify::resolved) {
      EXPECT_TRUE(state.event_id) << "no event to act on";
    }
    state = r.next;
    if (r.notify == Notify::firing) state.event_id = next_event_id++;  // as the evaluator does
  }
}

INSTANTIATE_TEST_SUITE_P(StateMachine, StepTable, ::testing::ValuesIn(cases),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

}  // namespace
}  // namespace sentinel::alerting
