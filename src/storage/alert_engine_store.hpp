#pragma once
// What the alert engine reads and writes:
//  * due rules, claimed so that exactly one worker evaluates each scheduled
//    slot (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has one writer);
//  * the per-series state of a rule (alert_series_state);
//  * the outcome of one evaluation: series state, alert events and outbox
//    rows, all in ONE transaction, so a crash never records an event
//    without its notification or the other way round.
// All calls block: run them on the BlockingPool.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "domain/alert_event.hpp"
#include "domain/alert_rule.hpp"
#include "storage/database.hpp"
#include "storage/notification_routes.hpp"
#include "storage/rule_definition_cache.hpp"

namespace sentinel::storage {

struct ClaimedRule {
  // The rule's definition, shared with the store's cache of definitions
  // (RuleDefinitionCache): its state and last_* fields are as they were when
  // the definition was read, not current. The claim's own fields below are.
  std::shared_ptr<const domain::AlertRule> rule;
  std::optional<double> last_value;  // the rule's last_value as claimed
  core::Timestamp slot{};     // the scheduled time this evaluation stands for
  std::int64_t interval_sec = 0;
  std::int64_t skipped = 0;   // whole slots missed since the previous one (overrun, downtime)
  // The rule has stored series state. Only this rule's evaluation writes it
  // (the lease), so when false there is nothing to load.
  bool has_series = true;
};

// One row of alert_series_state.
struct StoredSeries {
  std::string fingerprint;
  std::map<std::string, std::string> labels;
  std::optional<std::int64_t> server_id;
  std::string state = "pending";  // "inactive" | "pending" | "firing"
  std::optional<core::Timestamp> pending_since;
  std::optional<core::Timestamp> firing_since;
  std::optional<core::Timestamp> keep_firing_since;
  std::optional<core::Timestamp> last_seen_at;
  std::optional<core::Timestamp> last_notified_at;
  std::optional<double> last_value;
  std::optional<std::int64_t> event_id;  // the open event while firing
  bool acknowledged = false;             // read only: the open event was acknowledged
};

enum class Notification { none, firing, repeat, resolved };
std::string_view to_string(Notification n);

struct SeriesUpdate {
  StoredSeries series;  // the state after this evaluation
  bool forget = false;  // the series is inactive again: delete its row
  Notification notify = Notification::none;
  // The open event a repeat or resolution is about (series.event_id is
  // already cleared after a resolution).
  std::optional<std::int64_t> open_event_id;
  // The series' open event (series.event_id, or open_event_id when this
  // evaluation resolves it) was recorded without a server and
  // series.server_id is now known: the event gains it.
  bool event_gains_server = false;
  std::optional<double> value;  // this evaluation's sample (none when absent)
  std::string message;          // the event's text, for a new event
  std::string payload;          // JSON kept with the outbox row (server name, description...)
};

struct EvaluationRecord {
  std::int64_t rule_id = 0;
  std::string owner;  // the worker that claimed the rule
  core::Timestamp evaluated_at{};
  std::string state;  // the rule's state: inactive | pending | firing | error
  std::optional<double> last_value;
  std::optional<std::string> last_error;
  std::vector<SeriesUpdate> updates;  // empty after a failed evaluation
};

// An event created or resolved by record(), for /ws/events.
struct RecordedEvent {
  domain::AlertEvent event;
  Notification kind = Notification::firing;
};

// One evaluation to write with record_batch(): the rule as claimed and what
// its evaluation found.
struct Recording {
  const domain::AlertRule& rule;
  const EvaluationRecord& evaluation;
};

struct ServerRef {
  std::int64_t id = 0;
  std::string name;
  std::string instance;
  std::string job_name;
};

// Thrown by record_batch() when its transaction was COMMITTED and what came
// after failed (reading the events back, returning the connection): every
// evaluation of the batch is written, and writing any of them again would
// duplicate its events and notifications. what() says what failed.
class BatchCommittedThenFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class AlertEngineStore {
 public:
  // `routing`: where notifications go and how they are grouped
  // (notification_routes.hpp); the default configures no environment channel.
  AlertEngineStore(Database& db, core::Clock clock, RoutingDefaults routing = {})
      : db_(db), clock_(std::move(clock)), routing_(routing) {}

  // Active rules whose next slot has come and that no live worker holds.
  // Each is leased to `owner` (for two intervals, at least 10 s: record()
  // gives it back) and its next slot is set one interval later, in the same
  // transaction: another worker skips it, and a slot that comes while the
  // previous evaluation still runs is skipped (counted in `skipped`). A rule never scheduled gets its
  // first slot spread over one interval (by id), so rules created together
  // do not all run in the same second. Definitions come from this store's
  // cache when the rule was not edited since it last read them.
  std::vector<ClaimedRule> claim_due_rules(std::string_view owner, std::int64_t default_interval_sec,
                                           std::size_t limit);

  // When the earliest active rule is due (nullopt: no active rule).
  std::optional<core::Timestamp> next_due_at();

  std::vector<StoredSeries> load_series(std::int64_t rule_id);

  // Writes one evaluation. Returns the events created and resolved. Does
  // nothing (and returns nothing) when the rule was deleted meanwhile.
  std::vector<RecordedEvent> record(const domain::AlertRule& rule, const EvaluationRecord& evaluation);

  // Writes several evaluations as record() does, all in ONE transaction
  // (group commit: one lock, one commit, one WAL append for the lot).
  // Result i is batch[i]'s events. All or nothing: when it throws anything
  // but BatchCommittedThenFailed, none of them was written; with that, all.
  std::vector<std::vector<RecordedEvent>> record_batch(std::span<const Recording> batch);

  // Registered servers, to map a fleet rule's series to servers by instance.
  std::vector<ServerRef> servers();

  // Drops every rule lease (a single-process SQLite install restarting:
  // nothing else can hold them).
  void release_all_leases();

 private:
  Database& db_;
  core::Clock clock_;
  RoutingDefaults routing_;
  RuleDefinitionCache definitions_;
};

}  // namespace sentinel::storage
