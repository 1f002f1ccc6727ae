#include "alerting/state_machine.hpp"

#include <chrono>
#include <utility>

#include "domain/comparison.hpp"

namespace sentinel::alerting {

namespace {

// What this evaluation says about the series' condition.
enum class Evidence { holds, clear, unknown };

bool is_ordering(const std::optional<std::string>& comparison) {
  return comparison == ">" || comparison == ">=" || comparison == "<" || comparison == "<=";
}

// While firing, the recovery threshold (when there is one) replaces the
// threshold with the same comparison: "> 90, recovery 80" keeps firing while
// the value is > 80 and resolves at 80 or below; ">= 90, recovery 80"
// resolves below 80. With recovery == threshold this is exactly the plain
// condition, and NaN resolves, as it never holds.
bool still_firing(double value, const RuleCondition& rule) {
  const std::optional<double> bound =
      rule.recovery_threshold && is_ordering(rule.comparison) ? rule.recovery_threshold : rule.threshold;
  return domain::condition_holds(value, rule.comparison, bound);
}

Evidence evidence_of(Phase phase, std::optional<double> sample, const RuleCondition& rule) {
  if (sample) {
    const bool holds = phase == Phase::firing ? still_firing(*sample, rule)
                                              : domain::condition_holds(*sample, rule.comparison, rule.threshold);
    return holds ? Evidence::holds : Evidence::clear;
  }
  switch (rule.no_data) {
    case NoData::ok: return Evidence::clear;
    case NoData::alerting: return Evidence::holds;
    case NoData::keep_last: return Evidence::unknown;
  }
  return Evidence::clear;  // unreachable: every enumerator is handled above
}

bool at_least(core::Timestamp since, core::Timestamp now, std::int64_t seconds) {
  return now - since >= std::chrono::seconds{seconds};
}

// Only an inactive series with no open event can be dropped, and under
// NoData::alerting not even that: its absence from a later result is an
// alert, which needs the row to be noticed.
bool forgettable(const SeriesState& s, const RuleCondition& rule) {
  return s.phase == Phase::inactive && !s.event_id && rule.no_data != NoData::alerting;
}

// Back to inactive; the observations (last value, last seen) are kept.
SeriesState reset(const SeriesState& s) {
  SeriesState out;
  out.last_value = s.last_value;
  out.last_seen_at = s.last_seen_at;
  return out;
}

Step finish(SeriesState next, Notify notify, const RuleCondition& rule) {
  const bool forget = forgettable(next, rule);
  return Step{std::move(next), notify, forget};
}

// A firing series that keeps firing: re-notified once repeat_interval_sec
// has passed since the last notification, unless repeats are off or the
// event was acknowledged.
Step keep_firing(SeriesState s, const RuleCondition& rule, core::Timestamp now) {
  if (rule.repeat_interval_sec <= 0 || s.acknowledged) return finish(std::move(s), Notify::none, rule);
  // A firing row always has last_notified_at; should one lack it, count
  // from the start of firing rather than notify at every evaluation.
  const core::Timestamp last = s.last_notified_at.value_or(s.firing_since.value_or(now));
  if (!at_least(last, now, rule.repeat_interval_sec)) return finish(std::move(s), Notify::none, rule);
  s.last_notified_at = now;
  return finish(std::move(s), Notify::repeat, rule);
}

// Inactive or pending with the condition holding: pending until it has held
// for_sec (counted from active_since), then firing with a new event.
Step hold(SeriesState s, const RuleCondition& rule, core::Timestamp now) {
  if (s.phase == Phase::inactive || !s.active_since) s.active_since = now;
  if (!at_least(*s.active_since, now, rule.for_sec)) {
    s.phase = Phase::pending;
    return finish(std::move(s), Notify::none, rule);
  }
  s.phase = Phase::firing;
  s.firing_since = now;
  s.last_notified_at = now;
  s.event_id.reset();  // the caller stores the new event's id
  s.acknowledged = false;
  return finish(std::move(s), Notify::firing, rule);
}

// A firing series whose condition does not hold: resolved, unless
// keep_firing_for_sec has not yet passed since it stopped holding.
Step stop_holding(SeriesState s, const RuleCondition& rule, core::Timestamp now) {
  if (rule.keep_firing_for_sec > 0) {
    if (!s.keep_firing_since) s.keep_firing_since = now;
    if (!at_least(*s.keep_firing_since, now, rule.keep_firing_for_sec)) return keep_firing(std::move(s), rule, now);
  }
  return finish(reset(s), Notify::resolved, rule);
}

}  // namespace

RuleCondition condition_of(const domain::AlertRule& rule) {
  RuleCondition c;
  c.threshold = rule.threshold;
  c.comparison = rule.comparison;
  c.recovery_threshold = rule.recovery_threshold;
  c.for_sec = rule.for_sec;
  c.keep_firing_for_sec = rule.keep_firing_for_sec;
  c.repeat_interval_sec = rule.repeat_interval_sec;
  if (rule.no_data_state == "alerting")
    c.no_data = NoData::alerting;
  else if (rule.no_data_state == "keep_last")
    c.no_data = NoData::keep_last;
  else
    c.no_data = NoData::ok;
  return c;
}

Step step(const SeriesState& previous, std::optional<double> sample, const RuleCondition& rule, core::Timestamp now) {
  SeriesState s = previous;
  if (sample) {
    s.last_value = *sample;
    s.last_seen_at = now;
  }
  switch (evidence_of(s.phase, sample, rule)) {
    case Evidence::holds:
      s.keep_firing_since.reset();
      if (s.phase == Phase::firing) return keep_firing(std::move(s), rule, now);
      return hold(std::move(s), rule, now);
    case Evidence::clear:
      if (s.phase == Phase::firing) return stop_holding(std::move(s), rule, now);
      return finish(reset(s), Notify::none, rule);
    case Evidence::unknown:
      // keep_last: the phase stands. A firing series is still an open alert,
      // so its repeats go on; a pending one waits for data to promote it.
      if (s.phase == Phase::firing) return keep_firing(std::move(s), rule, now);
      return finish(std::move(s), Notify::none, rule);
  }
  return finish(std::move(s), Notify::none, rule);  // unreachable: every enumerator is handled above
}

bool condition_changed(const domain::AlertRule& before, const domain::AlertRule& after) {
  return before.promql != after.promql || before.server_id != after.server_id ||
         before.threshold != after.threshold || before.comparison != after.comparison;
}

Step on_rule_changed(const SeriesState& previous, bool changed, const RuleCondition& rule) {
  if (changed && previous.phase == Phase::pending) return finish(reset(previous), Notify::none, rule);
  return finish(previous, Notify::none, rule);
}

}  // namespace sentinel::alerting
