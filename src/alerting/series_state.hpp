#pragma once
// What the alert engine remembers about one series of one rule between
// evaluations (one row of alert_series_state). The series' label set and
// fingerprint are the caller's keys, not part of this state.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/time.hpp"

namespace sentinel::alerting {

// "Resolved" is not a phase: resolving ends the event and returns the
// series to inactive.
enum class Phase { inactive, pending, firing };

struct SeriesState {
  Phase phase = Phase::inactive;
  // When the condition began holding (the start of pending; equal to
  // firing_since when for_sec is 0). Column pending_since.
  std::optional<core::Timestamp> active_since;
  std::optional<core::Timestamp> firing_since;
  // When a firing or repeat notification was last asked for (also when a
  // silence suppressed its delivery: the repeat cadence does not restart).
  std::optional<core::Timestamp> last_notified_at;
  // The latest sample and when the series was last in a result; both
  // survive resolution. last_value may be NaN (a NaN sample is a sample).
  std::optional<double> last_value;
  std::optional<core::Timestamp> last_seen_at;
  // keep_firing_for: set when a firing series' condition first stops
  // holding, cleared when it holds again; the series resolves once this is
  // keep_firing_for_sec ago. Column keep_firing_since.
  std::optional<core::Timestamp> keep_firing_since;
  // The open AlertEvent while firing. The state machine cannot know the id:
  // after Notify::firing the caller creates the event and stores its id here.
  std::optional<std::int64_t> event_id;
  // The open event was acknowledged: no more repeats (it still resolves).
  // Loaded from the event by the caller.
  bool acknowledged = false;

  friend bool operator==(const SeriesState&, const SeriesState&) = default;
};

// "inactive" / "pending" / "firing": the stored spelling, and the rule
// states the API shows.
std::string_view to_string(Phase phase);
// nullopt for any other text.
std::optional<Phase> phase_from_string(std::string_view text);

// A rule's state from its series: firing if any series fires, else pending
// if any is pending, else inactive (also with no series at all). "error" is
// set by the evaluator when a query fails, without looking at series.
Phase rule_phase(std::span<const Phase> series);

}  // namespace sentinel::alerting
