#include "storage/alert_engine_store.hpp"

#include <soci/soci.h>

#include <algorithm>

#include "storage/alert_event_rows.hpp"
#include "storage/alert_rule_rows.hpp"
#include "storage/notification_rows.hpp"
#include "storage/sql_support.hpp"

namespace sentinel::storage {

std::string_view to_string(Notification n) {
  switch (n) {
    case Notification::firing: return "firing";
    case Notification::repeat: return "repeat";
    case Notification::resolved: return "resolved";
    case Notification::none: break;
  }
  return "none";
}

namespace {

// First slot of a rule never scheduled: spread by id over one interval.
long long first_slot(long long now, long long id, long long interval) {
  const auto h = static_cast<unsigned long long>(id) * 0x9E3779B97F4A7C15ULL;
  return now + static_cast<long long>((h >> 33) % static_cast<unsigned long long>(interval));
}

// How long a claimed rule stays with its worker. Longer than an interval,
// so an evaluation that overruns its interval makes the next slot skip
// instead of running twice at once; short enough that a dead worker's rules
// move on soon (at the first slot after the lease ends).
long long lease_seconds(long long interval) { return std::max(2 * interval, 10LL); }

// The rule's own fields after an evaluation, and its lease given back.
void update_rule_row(soci::session& sql, const EvaluationRecord& ev, long long now) {
  const long long rule_id = ev.rule_id;
  sql::Nullable<double> last_value(ev.last_value);
  sql::Nullable<std::string> last_error(ev.last_error);
  sql << "UPDATE alert_rules SET state = :s, last_evaluated_at = :t, last_value = :v, last_error = :e, "
         "lease_owner = CASE WHEN lease_owner = :o1 THEN NULL ELSE lease_owner END, "
         "lease_expires_at = CASE WHEN lease_owner = :o2 THEN NULL ELSE lease_expires_at END WHERE id = :id",
      soci::use(ev.state), soci::use(now), soci::use(last_value.value, last_value.ind),
      soci::use(last_error.value, last_error.ind), soci::use(ev.owner), soci::use(ev.owner), soci::use(rule_id);
}

void save_series(soci::session& sql, long long rule_id, const StoredSeries& s) {
  const std::string labels = labels_json(s.labels);
  auto server = sql::nullable_i64(s.server_id), event = sql::nullable_i64(s.event_id);
  auto pending = sql::nullable_time(s.pending_since), firing = sql::nullable_time(s.firing_since),
       seen = sql::nullable_time(s.last_seen_at), notified = sql::nullable_time(s.last_notified_at);
  sql::Nullable<double> value(s.last_value);
  // Both dialects know this upsert (SQLite ≥ 3.24).
  sql << "INSERT INTO alert_series_state (rule_id, fingerprint, labels, server_id, state, pending_since, "
         "firing_since, last_value, last_seen_at, last_notified_at, event_id) VALUES (:r, :f, :l, :s, :st, :p, :fi, "
         ":v, :seen, :notified, :e) ON CONFLICT (rule_id, fingerprint) DO UPDATE SET labels = excluded.labels, "
         "server_id = excluded.server_id, state = excluded.state, pending_since = excluded.pending_since, "
         "firing_since = excluded.firing_since, last_value = excluded.last_value, "
         "last_seen_at = excluded.last_seen_at, last_notified_at = excluded.last_notified_at, "
         "event_id = excluded.event_id",
      soci::use(rule_id), soci::use(s.fingerprint), soci::use(labels), soci::use(server.value, server.ind),
      soci::use(s.state), soci::use(pending.value, pending.ind), soci::use(firing.value, firing.ind),
      soci::use(value.value, value.ind), soci::use(seen.value, seen.ind), soci::use(notified.value, notified.ind),
      soci::use(event.value, event.ind);
}

}  // namespace

std::vector<ClaimedRule> AlertEngineStore::claim_due_rules(std::string_view owner_view,
                                                           std::int64_t default_interval_sec, std::size_t limit) {
  std::vector<ClaimedRule> out;
  const std::string owner(owner_view);
  db_.with_session([&](soci::session& sql) {
    const bool pg = db_.dialect() == Dialect::postgresql;
    sql::WriteTransaction tx(sql, db_.dialect());
    const long long now = core::to_unix(clock_()), def = default_interval_sec, lim = static_cast<long long>(limit);

    // Rules never scheduled (new, or re-activated) get a spread first slot.
    {
      std::vector<long long> ids;
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT id, COALESCE(eval_interval_sec, :d) FROM alert_rules WHERE is_active = 1 AND "
                          "next_eval_at IS NULL" << (pg ? " FOR UPDATE SKIP LOCKED" : ""),
           soci::use(def));
      std::vector<std::pair<long long, long long>> fresh;
      for (const auto& r : rows) fresh.emplace_back(sql::get_i64(r, 0), sql::get_i64(r, 1));
      for (auto [id, interval] : fresh) {
        long long slot = first_slot(now, id, std::max(1LL, interval));
        sql << "UPDATE alert_rules SET next_eval_at = :s WHERE id = :id", soci::use(slot), soci::use(id);
      }
    }

    soci::rowset<soci::row> due =
        (sql.prepare << "SELECT " << rule_columns << ", next_eval_at, COALESCE(eval_interval_sec, :d), "
                     << "(SELECT COUNT(*) FROM alert_series_state s WHERE s.rule_id = alert_rules.id) "
                     << "FROM alert_rules WHERE is_active = 1 AND next_eval_at <= :n1 "
                        "AND (lease_expires_at IS NULL OR lease_expires_at <= :n2) "
                        "ORDER BY next_eval_at, id LIMIT :l"
                     << (pg ? " FOR UPDATE SKIP LOCKED" : ""),
         soci::use(def), soci::use(now), soci::use(now), soci::use(lim));
    for (const auto& r : due) {
      ClaimedRule c;
      c.rule = read_rule(r);
      const long long slot = sql::get_i64(r, 22);
      c.interval_sec = std::max<std::int64_t>(1, sql::get_i64(r, 23));
      c.slot = core::from_unix(slot);
      // Slots that passed while nobody evaluated the rule are skipped, not
      // caught up: evaluating now covers them.
      c.skipped = (now - slot) / c.interval_sec;
      c.has_series = sql::get_i64(r, 24) > 0;
      out.push_back(std::move(c));
    }
    for (const auto& c : out) {
      const long long id = c.rule.id;
      const long long next = core::to_unix(c.slot) + (c.skipped + 1) * c.interval_sec;
      const long long lease_until = now + lease_seconds(c.interval_sec);
      sql << "UPDATE alert_rules SET next_eval_at = :next, lease_owner = :o, lease_expires_at = :l WHERE id = :id",
          soci::use(next), soci::use(owner), soci::use(lease_until), soci::use(id);
    }
    tx.commit();
  });
  return out;
}

std::optional<core::Timestamp> AlertEngineStore::next_due_at() {
  std::optional<core::Timestamp> out;
  db_.with_session([&](soci::session& sql) {
    long long t = 0, n = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT COUNT(*), MIN(COALESCE(next_eval_at, 0)) FROM alert_rules WHERE is_active = 1", soci::into(n),
        soci::into(t, ind);
    if (n > 0 && ind == soci::i_ok) out = core::from_unix(t);
  });
  return out;
}

std::vector<StoredSeries> AlertEngineStore::load_series(std::int64_t rule_id) {
  std::vector<StoredSeries> out;
  db_.with_session([&](soci::session& sql) {
    const long long id = rule_id;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT s.fingerprint, s.labels, s.server_id, s.state, s.pending_since, s.firing_since, "
                        "s.last_value, s.last_seen_at, s.last_notified_at, s.event_id, COALESCE(e.acknowledged, 0) "
                        "FROM alert_series_state s LEFT JOIN alert_events e ON e.id = s.event_id "
                        "WHERE s.rule_id = :id ORDER BY s.fingerprint",
         soci::use(id));
    for (const auto& r : rows) {
      StoredSeries s;
      s.fingerprint = sql::get_str(r, 0);
      s.labels = parse_labels(sql::get_str(r, 1));
      s.server_id = sql::get_opt_i64(r, 2);
      s.state = sql::get_str(r, 3);
      s.pending_since = sql::get_opt_time(r, 4);
      s.firing_since = sql::get_opt_time(r, 5);
      s.last_value = sql::get_opt_double(r, 6);
      s.last_seen_at = sql::get_opt_time(r, 7);
      s.last_notified_at = sql::get_opt_time(r, 8);
      s.event_id = sql::get_opt_i64(r, 9);
      s.acknowledged = sql::get_bool(r, 10);
      out.push_back(std::move(s));
    }
  });
  return out;
}

std::vector<RecordedEvent> AlertEngineStore::record(const domain::AlertRule& rule, const EvaluationRecord& ev) {
  std::vector<RecordedEvent> out;
  db_.with_session([&](soci::session& sql) {
    const bool pg = db_.dialect() == Dialect::postgresql;
    const long long rule_id = ev.rule_id, now = core::to_unix(ev.evaluated_at);
    if (ev.updates.empty()) {
      // The common case (nothing fired, nothing changed): one statement, no
      // transaction; a rule deleted meanwhile simply matches no row.
      update_rule_row(sql, ev, now);
      return;
    }
    sql::WriteTransaction tx(sql, db_.dialect());
    // Locks the rule row against a concurrent DELETE until commit.
    long long exists = 0;
    sql << "SELECT COUNT(*) FROM (SELECT id FROM alert_rules WHERE id = :id" << (pg ? " FOR UPDATE" : "")
        << ") AS r",
        soci::use(rule_id), soci::into(exists);
    if (exists == 0) return;  // deleted meanwhile: its state went with it

    std::vector<long long> touched;  // events to report after commit
    for (const auto& u : ev.updates) {
      StoredSeries series = u.series;
      const bool notify_channel = rule.channel != "none";
      const bool muted = u.notify != Notification::none && silenced(sql, now, series.server_id, rule_id);
      // Suppressed: silenced, or a rule that notifies nobody by design.
      const std::string status = (muted || !notify_channel) ? "suppressed" : "pending";
      const bool deliver = u.notify != Notification::none && !muted && notify_channel;

      if (u.notify == Notification::firing) {
        domain::AlertEvent e;
        e.rule_id = rule.id;
        e.server_id = series.server_id;
        e.rule_name = rule.name;
        e.status = "firing";
        e.severity = rule.severity;
        e.value = u.value;
        e.threshold = rule.threshold;
        e.comparison = rule.comparison;
        e.labels = series.labels;
        e.fingerprint = series.fingerprint;
        e.message = u.message;
        e.started_at = series.firing_since.value_or(ev.evaluated_at);
        e.last_notified_at = ev.evaluated_at;
        e.notification_status = status;
        series.event_id = insert_event(sql, e, now);
        series.last_notified_at = ev.evaluated_at;
        touched.push_back(*series.event_id);
      } else if (u.notify == Notification::repeat && u.open_event_id) {
        const long long eid = *u.open_event_id;
        sql::Nullable<double> value(u.value);
        sql << "UPDATE alert_events SET value = COALESCE(:v, value), last_notified_at = :n, "
               "notification_status = :s WHERE id = :id",
            soci::use(value.value, value.ind), soci::use(now), soci::use(status), soci::use(eid);
        series.last_notified_at = ev.evaluated_at;
      } else if (u.notify == Notification::resolved && u.open_event_id) {
        const long long eid = *u.open_event_id;
        sql::Nullable<double> value(u.value);
        sql << "UPDATE alert_events SET status = 'resolved', resolved_at = :n, value = COALESCE(:v, value), "
               "notification_status = :s WHERE id = :id",
            soci::use(now), soci::use(value.value, value.ind), soci::use(status), soci::use(eid);
        touched.push_back(eid);
      }
      const auto event_id = u.notify == Notification::firing ? series.event_id : u.open_event_id;
      if (deliver && event_id) add_outbox(sql, *event_id, rule.channel, to_string(u.notify), u.payload, now);

      if (u.forget) {
        sql << "DELETE FROM alert_series_state WHERE rule_id = :r AND fingerprint = :f", soci::use(rule_id),
            soci::use(series.fingerprint);
      } else {
        save_series(sql, rule_id, series);
      }
    }

    update_rule_row(sql, ev, now);
    tx.commit();

    for (long long id : touched) {
      auto e = fetch_event(sql, id);
      if (!e) continue;
      out.push_back({*e, e->status == "resolved" ? Notification::resolved : Notification::firing});
    }
  });
  return out;
}

std::vector<ServerRef> AlertEngineStore::servers() {
  std::vector<ServerRef> out;
  db_.with_session([&](soci::session& sql) {
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT id, name, instance, job_name FROM servers ORDER BY id");
    for (const auto& r : rows)
      out.push_back({sql::get_i64(r, 0), sql::get_str(r, 1), sql::get_str(r, 2), sql::get_str(r, 3)});
  });
  return out;
}

void AlertEngineStore::release_all_leases() {
  db_.with_session([&](soci::session& sql) {
    sql << "UPDATE alert_rules SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner IS NOT NULL";
    sql << "UPDATE notification_outbox SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner IS NOT NULL";
  });
}

}  // namespace sentinel::storage
