#pragma once
// The alert engine's hot statements, prepared once per pooled connection
// (StatementCache; internal to storage/alert_engine_store.cpp). Each owns
// the variables it is bound to: set them, then execute.
#include <soci/soci.h>

#include <array>
#include <cstddef>
#include <string>

#include "storage/alert_rule_rows.hpp"
#include "storage/database.hpp"

namespace sentinel::storage::engine_sql {

inline const char* skip_locked(Dialect d) { return d == Dialect::postgresql ? " FOR UPDATE SKIP LOCKED" : ""; }

// Whether a claim would find anything: a rule never scheduled, or one due
// that no live worker holds. A plain read, so that the scheduler's idle
// polls (4 a second) do not take SQLite's write lock.
struct AnythingToClaim {
  long long now = 0, found = 0;
  soci::statement st;
  AnythingToClaim(soci::session& sql, Dialect)
      // Two probes, each a range of alert_rules_due (one condition with OR
      // would walk every active rule's index entry when nothing is due).
      : st((sql.prepare << "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM alert_rules WHERE is_active = 1 AND "
                           "next_eval_at IS NULL LIMIT 1) AS u) + (SELECT COUNT(*) FROM (SELECT 1 FROM alert_rules "
                           "WHERE is_active = 1 AND next_eval_at <= :n1 AND "
                           "(lease_expires_at IS NULL OR lease_expires_at <= :n2) LIMIT 1) AS d)",
            soci::use(now), soci::use(now), soci::into(found))) {}
};

// Active rules never scheduled (new, or re-activated).
struct UnscheduledRules {
  long long default_interval = 0;
  long long id = 0, interval = 0;
  soci::statement st;
  UnscheduledRules(soci::session& sql, Dialect d)
      : st((sql.prepare << "SELECT id, COALESCE(eval_interval_sec, :d) FROM alert_rules WHERE is_active = 1 AND "
                           "next_eval_at IS NULL"
                        << skip_locked(d),
            soci::use(default_interval), soci::into(id), soci::into(interval))) {}
};

struct ScheduleRule {
  long long slot = 0, id = 0;
  soci::statement st;
  ScheduleRule(soci::session& sql, Dialect)
      : st((sql.prepare << "UPDATE alert_rules SET next_eval_at = :s WHERE id = :id", soci::use(slot),
            soci::use(id))) {}
};

// Due rules no live worker holds, oldest slot first: what a claim needs
// besides the definition (RuleDefinitionCache): the version of that
// definition, the slot, the interval, the last value and whether the rule
// has stored series.
struct DueRules {
  long long default_interval = 0, now = 0, limit = 0;
  long long id = 0, version = 0, slot = 0, interval = 0, has_series = 0;
  double last_value = 0;
  soci::indicator last_value_ind = soci::i_null;
  soci::statement st;
  DueRules(soci::session& sql, Dialect d)
      : st((sql.prepare << "SELECT id, config_version, next_eval_at, COALESCE(eval_interval_sec, :d), last_value, "
                           "CASE WHEN EXISTS (SELECT 1 FROM alert_series_state s WHERE s.rule_id = alert_rules.id) "
                           "THEN 1 ELSE 0 END "
                           "FROM alert_rules WHERE is_active = 1 AND next_eval_at <= :n1 "
                           "AND (lease_expires_at IS NULL OR lease_expires_at <= :n2) "
                           "ORDER BY next_eval_at, id LIMIT :l"
                        << skip_locked(d),
            soci::use(default_interval), soci::use(now), soci::use(now), soci::use(limit), soci::into(id),
            soci::into(version), soci::into(slot), soci::into(interval), soci::into(last_value, last_value_ind),
            soci::into(has_series))) {}
};

// One rule's definition (read_rule's columns) and its config_version.
struct RuleDefinition {
  long long id = 0;
  soci::row row;
  soci::statement st;
  RuleDefinition(soci::session& sql, Dialect)
      : st((sql.prepare << "SELECT " << rule_columns << ", config_version FROM alert_rules WHERE id = :id",
            soci::use(id), soci::into(row))) {}
};

// Leases up to `max_ids` claimed rules to `owner` in one statement (ids
// beyond the claim's are 0, which no rule has) and moves each rule's next
// slot past `now`, by whole intervals: slots that passed while nobody
// evaluated it are skipped, not caught up. The lease lasts two intervals,
// at least 10 s: longer than an interval, so an evaluation that overruns
// makes the next slot skip instead of running twice at once; short enough
// that a dead worker's rules move on soon. Intervals are at least 1
// (validated by the API and the configuration).
struct LeaseRules {
  static constexpr std::size_t max_ids = 64;
  long long now = 0, default_interval = 0;
  std::string owner;
  std::array<long long, max_ids> ids{};
  soci::statement st;
  LeaseRules(soci::session& sql, Dialect) : st(sql) {
    // Every placeholder has its own name: SQLite gives a repeated name one
    // parameter, and SOCI binds these by position.
    auto interval = [](int k) { return "COALESCE(eval_interval_sec, :d" + std::to_string(k) + ")"; };
    std::string text = "UPDATE alert_rules SET next_eval_at = next_eval_at + ((:n1 - next_eval_at) / " + interval(1) +
                       " + 1) * " + interval(2) + ", lease_owner = :o, lease_expires_at = :n2 + CASE WHEN " +
                       interval(3) + " > 5 THEN 2 * " + interval(4) + " ELSE 10 END WHERE id IN (";
    st.exchange(soci::use(now));
    st.exchange(soci::use(default_interval));
    st.exchange(soci::use(default_interval));
    st.exchange(soci::use(owner));
    st.exchange(soci::use(now));
    st.exchange(soci::use(default_interval));
    st.exchange(soci::use(default_interval));
    for (std::size_t i = 0; i < max_ids; ++i) {
      text += i ? ", :i" : ":i";
      text += std::to_string(i);
      st.exchange(soci::use(ids[i]));
    }
    text += ")";
    st.alloc();
    st.prepare(text);
    st.define_and_bind();
  }
};

struct SeriesOfRule {
  long long rule_id = 0;
  soci::row row;
  soci::statement st;
  SeriesOfRule(soci::session& sql, Dialect)
      : st((sql.prepare << "SELECT s.fingerprint, s.labels, s.server_id, s.state, s.pending_since, s.firing_since, "
                           "s.last_value, s.last_seen_at, s.last_notified_at, s.event_id, "
                           "COALESCE(e.acknowledged, 0), s.keep_firing_since FROM alert_series_state s "
                           "LEFT JOIN alert_events e ON e.id = s.event_id WHERE s.rule_id = :id "
                           "ORDER BY s.fingerprint",
            soci::use(rule_id), soci::into(row))) {}
};

// The rule's own fields after an evaluation, and its lease given back.
struct UpdateRuleRow {
  std::string state;
  long long evaluated_at = 0;
  double last_value = 0;
  soci::indicator last_value_ind = soci::i_null;
  std::string last_error;
  soci::indicator last_error_ind = soci::i_null;
  std::string owner;
  long long id = 0;
  soci::statement st;
  UpdateRuleRow(soci::session& sql, Dialect)
      : st((sql.prepare << "UPDATE alert_rules SET state = :s, last_evaluated_at = :t, last_value = :v, "
                           "last_error = :e, lease_owner = CASE WHEN lease_owner = :o1 THEN NULL ELSE lease_owner END, "
                           "lease_expires_at = CASE WHEN lease_owner = :o2 THEN NULL ELSE lease_expires_at END "
                           "WHERE id = :id",
            soci::use(state), soci::use(evaluated_at), soci::use(last_value, last_value_ind),
            soci::use(last_error, last_error_ind), soci::use(owner), soci::use(owner), soci::use(id))) {}
};

// Whether the rule still exists; on PostgreSQL also locks its row against
// a concurrent DELETE until commit.
struct LockRule {
  long long id = 0, found = 0;
  soci::statement st;
  LockRule(soci::session& sql, Dialect d)
      : st((sql.prepare << "SELECT COUNT(*) FROM (SELECT id FROM alert_rules WHERE id = :id"
                        << (d == Dialect::postgresql ? " FOR UPDATE" : "") << ") AS r",
            soci::use(id), soci::into(found))) {}
};

}  // namespace sentinel::storage::engine_sql
