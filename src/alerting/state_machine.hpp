#pragma once
// The per-series alert state machine (product spec §5): a pure function of
// (previous state, this evaluation's sample or its absence, rule, now). No
// I/O and no clock reads, so the evaluator can run it inside its database
// transaction and tests can drive it with any timeline.
//
//   inactive ──holds──► pending ──held for_sec──► firing ──stops holding──► (resolved) inactive
//       └────────holds, for_sec = 0─────────────────┘ │ ▲
//   pending ──stops holding──► inactive               └─┘ repeat every repeat_interval_sec
//   (with keep_firing_for_sec, "stops holding" means: has not held for that long)
//
// A failed evaluation must not call step() at all: it changes no series.
// Silences are not an input either: they suppress delivery (the outbox
// marks the notification "suppressed"), never a transition.
#include <cstdint>
#include <optional>
#include <string>

#include "alerting/series_state.hpp"
#include "core/time.hpp"
#include "domain/alert_rule.hpp"

namespace sentinel::alerting {

// What a series absent from a successful evaluation's result means.
enum class NoData {
  ok,         // the condition no longer holds: pending is dropped, firing resolves
  alerting,   // the condition holds ("the host vanished"), through pending/for_sec as usual
  keep_last,  // no evidence either way: the phase is kept (no promotion, no resolution;
              // a pending series' for_sec still counts from when it began holding)
};

// The part of a rule the state machine reads.
struct RuleCondition {
  // Both null: no condition, every present sample holds (an every-series
  // rule, product.md §10); its series resolve when they leave the result.
  std::optional<double> threshold = 0;
  std::optional<std::string> comparison = ">";
  // Hysteresis: while firing, the series keeps firing as long as
  // `value <comparison> recovery_threshold` holds. Ignored for == and !=
  // (validation refuses it there).
  std::optional<double> recovery_threshold;
  std::int64_t for_sec = 0;
  // A firing series whose condition stops holding keeps firing this long
  // (Prometheus's keep_firing_for); 0 = resolve at once.
  std::int64_t keep_firing_for_sec = 0;
  std::int64_t repeat_interval_sec = 0;  // 0 = never repeat
  NoData no_data = NoData::ok;
};

// The rule's condition. An unknown no_data_state (validation refuses those)
// reads as "ok", the documented default.
RuleCondition condition_of(const domain::AlertRule& rule);

enum class Notify {
  none,
  firing,    // create the AlertEvent (store its id in next.event_id) and notify
  repeat,    // re-notify the open event (previous.event_id)
  resolved,  // resolve the open event (previous.event_id) and notify
};

struct Step {
  SeriesState next;
  Notify notify = Notify::none;
  // The caller may delete the stored state: it is inactive with no open
  // event, and nothing would be lost. Never set under NoData::alerting,
  // where an inactive series must be remembered so that its disappearance
  // can be noticed.
  bool forget = false;
};

// One evaluation of one series. `sample` is the series' value in this
// evaluation's result, nullopt when the series is absent from it. NaN is a
// present sample for which the condition does not hold. Cannot fail.
Step step(const SeriesState& previous, std::optional<double> sample, const RuleCondition& rule, core::Timestamp now);

// True when an edit changes what the rule's condition means for a series:
// the PromQL, the server it is rendered for, the threshold or the comparison.
bool condition_changed(const domain::AlertRule& before, const domain::AlertRule& after);

// Applies a rule edit (`rule` is the edited rule) to a stored series. When
// the condition changed, a pending series goes back to inactive: the time it
// held the old condition says nothing about the new one. A firing series
// stays firing, with its event, until an evaluation of the new condition
// resolves it, so an edit neither re-fires nor silently drops an alert.
// notify is always none; forget as for step().
Step on_rule_changed(const SeriesState& previous, bool condition_changed, const RuleCondition& rule);

}  // namespace sentinel::alerting
