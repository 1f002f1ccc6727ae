#include "storage/evaluation_writes.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "storage/alert_event_rows.hpp"
#include "storage/batch_statement.hpp"
#include "storage/notification_routes.hpp"
#include "storage/sql_support.hpp"

namespace sentinel::storage {

namespace {

constexpr std::size_t chunk = BatchStatement::chunk_rows;

// Calls `write(first, last)` for each chunk of [0, n).
template <class F>
void in_chunks(std::size_t n, F&& write) {
  for (std::size_t at = 0; at < n; at += chunk) write(at, std::min(n, at + chunk));
}

std::optional<long long> as_ll(const std::optional<std::int64_t>& v) {
  return v ? std::optional<long long>(*v) : std::nullopt;
}
std::optional<long long> as_unix(const std::optional<core::Timestamp>& t) {
  return t ? std::optional<long long>(core::to_unix(*t)) : std::nullopt;
}

// The silences active now that can match this rule, read once: a
// notification is muted by one without a server, or by one on its server.
// Same matching as notification_rows' silenced(): a series without a server
// (unregistered instance) is only muted by silences without one.
class ActiveSilences {
 public:
  ActiveSilences(soci::session& sql, long long now, long long rule_id) {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT server_id FROM silences WHERE starts_at <= :n1 AND ends_at > :n2 "
                        "AND (rule_id IS NULL OR rule_id = :r)",
         soci::use(now), soci::use(now), soci::use(rule_id));
    for (const auto& r : rows) {
      if (r.get_indicator(0) == soci::i_null) every_server_ = true;
      else servers_.insert(sql::get_i64(r, 0));
    }
  }
  bool mutes(const std::optional<std::int64_t>& server_id) const {
    return every_server_ || (server_id && servers_.contains(*server_id));
  }

 private:
  bool every_server_ = false;
  std::set<long long> servers_;
};

// One update as written: the series after it, and its notification status.
struct Planned {
  const SeriesUpdate* update;
  StoredSeries series;
  std::string status;    // the event's notification_status: "pending" or "suppressed"
  bool deliver = false;  // an outbox row is queued
};

void insert_events(soci::session& sql, const domain::AlertRule& rule, long long now,
                   std::vector<Planned*>& firing) {
  in_chunks(firing.size(), [&](std::size_t first, std::size_t last) {
    BatchStatement st(sql);
    st.text(
        "INSERT INTO alert_events (rule_id, server_id, rule_name, status, severity, value, threshold, comparison, "
        "labels, fingerprint, message, started_at, resolved_at, last_notified_at, notification_status, "
        "acknowledged, acknowledged_at, acknowledged_by, created_at) VALUES ");
    for (std::size_t i = first; i < last; ++i) {
      const Planned& p = *firing[i];
      st.text(i == first ? "(" : ", (").value(static_cast<long long>(rule.id)).text(", ");
      st.value(as_ll(p.series.server_id)).text(", ").value(rule.name).text(", 'firing', ");
      st.value(rule.severity).text(", ").value(p.update->value).text(", ");
      // comparison '' and threshold 0: a rule without a condition (migration 0006).
      st.value(std::optional<double>(rule.threshold.value_or(0))).text(", ").value(rule.comparison.value_or("")).text(", ");
      st.value(labels_json(p.series.labels)).text(", ").value(p.series.fingerprint).text(", ");
      st.value(p.update->message).text(", ");
      st.value(as_unix(p.series.firing_since).value_or(now)).text(", NULL, ").value(now).text(", ");
      st.value(p.status).text(", 0, NULL, NULL, ").value(now).text(")");
    }
    st.text(" RETURNING id, fingerprint");
    std::unordered_map<std::string, long long> ids;
    for (auto& [id, fp] : st.returning()) ids.emplace(std::move(fp), id);
    for (std::size_t i = first; i < last; ++i) {
      Planned& p = *firing[i];
      const auto it = ids.find(p.series.fingerprint);
      if (it == ids.end()) throw std::runtime_error("alert engine: an inserted event did not come back");
      p.series.event_id = it->second;
    }
  });
}

// Repeats and resolutions: per event a value (kept when absent) and a
// notification status, in one UPDATE per chunk.
void update_events(soci::session& sql, std::string_view set_first, long long now,
                   const std::vector<Planned*>& rows) {
  in_chunks(rows.size(), [&](std::size_t first, std::size_t last) {
    BatchStatement st(sql);
    st.text("UPDATE alert_events SET ").text(set_first).value(now);
    // CAST: PostgreSQL would otherwise type the parameters of a CASE as text.
    st.text(", value = COALESCE(CASE id");
    for (std::size_t i = first; i < last; ++i)
      st.text(" WHEN ").value(*rows[i]->update->open_event_id).text(" THEN CAST(").value(rows[i]->update->value).text(
          " AS DOUBLE PRECISION)");
    st.text(" END, value), notification_status = CASE id");
    for (std::size_t i = first; i < last; ++i)
      st.text(" WHEN ").value(*rows[i]->update->open_event_id).text(" THEN ").value(rows[i]->status);
    st.text(" END WHERE id IN (");
    for (std::size_t i = first; i < last; ++i)
      st.text(i == first ? "" : ", ").value(*rows[i]->update->open_event_id);
    st.text(")");
    st.execute();
  });
}

// One outbox row per notification and target, each due when its group
// goes out (notification_routes.hpp).
struct Delivery {
  const Planned* planned;
  long long event_id;
};

void queue_notifications(soci::session& sql, const domain::AlertRule& rule, long long now,
                         const std::vector<Delivery>& rows, const std::vector<NotificationTarget>& targets,
                         const RoutingDefaults& defaults) {
  if (rows.empty()) return;
  const RuleRouting routing = routing_of(rule);
  for (const auto& target : targets) {
    std::vector<const Delivery*> mine;
    for (const auto& d : rows)
      if (target.send_resolved || d.planned->update->notify != Notification::resolved) mine.push_back(&d);
    if (mine.empty()) continue;
    const long long due = group_time(sql, routing, target.key, now, defaults);
    in_chunks(mine.size(), [&](std::size_t first, std::size_t last) {
      BatchStatement st(sql);
      st.text("INSERT INTO notification_outbox (event_id, rule_id, channel, kind, payload, status, attempts, "
              "next_attempt_at, group_at, created_at) VALUES ");
      for (std::size_t i = first; i < last; ++i) {
        const Planned& p = *mine[i]->planned;
        st.text(i == first ? "(" : ", (").value(mine[i]->event_id).text(", ").value(static_cast<long long>(rule.id));
        st.text(", ").value(target.key).text(", ").value(std::string(to_string(p.update->notify))).text(", ");
        st.value(p.update->payload).text(", 'pending', 0, ").value(due).text(", ").value(due).text(", ");
        st.value(now).text(")");
      }
      st.execute();
    });
  }
}

// Resolved events are re-sent to Alertmanager no more: their waiting
// re-sends go (one in flight finishes first; the resolution waits for it).
void drop_resends(soci::session& sql, long long now, const std::vector<Planned*>& resolutions) {
  in_chunks(resolutions.size(), [&](std::size_t first, std::size_t last) {
    BatchStatement st(sql);
    st.text("DELETE FROM notification_outbox WHERE kind = 'resend' AND status = 'pending' "
            "AND (lease_expires_at IS NULL OR lease_expires_at <= ").value(now).text(") AND event_id IN (");
    for (std::size_t i = first; i < last; ++i)
      st.text(i == first ? "" : ", ").value(*resolutions[i]->update->open_event_id);
    st.text(")");
    st.execute();
  });
}

void forget_series(soci::session& sql, long long rule_id, const std::vector<const Planned*>& rows) {
  in_chunks(rows.size(), [&](std::size_t first, std::size_t last) {
    BatchStatement st(sql);
    st.text("DELETE FROM alert_series_state WHERE rule_id = ").value(rule_id).text(" AND fingerprint IN (");
    for (std::size_t i = first; i < last; ++i) st.text(i == first ? "" : ", ").value(rows[i]->series.fingerprint);
    st.text(")");
    st.execute();
  });
}

// Both dialects know this upsert (SQLite >= 3.24).
void save_series(soci::session& sql, long long rule_id, const std::vector<const Planned*>& rows) {
  in_chunks(rows.size(), [&](std::size_t first, std::size_t last) {
    BatchStatement st(sql);
    st.text("INSERT INTO alert_series_state (rule_id, fingerprint, labels, server_id, state, pending_since, "
            "firing_since, last_value, last_seen_at, last_notified_at, event_id, keep_firing_since) VALUES ");
    for (std::size_t i = first; i < last; ++i) {
      const StoredSeries& s = rows[i]->series;
      st.text(i == first ? "(" : ", (").value(rule_id).text(", ").value(s.fingerprint).text(", ");
      st.value(labels_json(s.labels)).text(", ").value(as_ll(s.server_id)).text(", ").value(s.state).text(", ");
      st.value(as_unix(s.pending_since)).text(", ").value(as_unix(s.firing_since)).text(", ");
      st.value(s.last_value).text(", ").value(as_unix(s.last_seen_at)).text(", ");
      st.value(as_unix(s.last_notified_at)).text(", ").value(as_ll(s.event_id)).text(", ");
      st.value(as_unix(s.keep_firing_since)).text(")");
    }
    st.text(" ON CONFLICT (rule_id, fingerprint) DO UPDATE SET labels = excluded.labels, "
            "server_id = excluded.server_id, state = excluded.state, pending_since = excluded.pending_since, "
            "firing_since = excluded.firing_since, last_value = excluded.last_value, "
            "last_seen_at = excluded.last_seen_at, last_notified_at = excluded.last_notified_at, "
            "event_id = excluded.event_id, keep_firing_since = excluded.keep_firing_since");
    st.execute();
  });
}

}  // namespace

void write_series_updates(soci::session& sql, const domain::AlertRule& rule, const EvaluationRecord& ev,
                          std::vector<long long>& touched, const RoutingDefaults& routing) {
  const long long rule_id = ev.rule_id, now = core::to_unix(ev.evaluated_at);
  const bool any_notice = std::any_of(ev.updates.begin(), ev.updates.end(),
                                      [](const SeriesUpdate& u) { return u.notify != Notification::none; });
  // Read once per evaluation, and only when something is to be said.
  std::vector<NotificationTarget> targets;
  std::optional<ActiveSilences> silences;
  if (any_notice) {
    targets = notification_targets(sql, routing_of(rule), routing);
    if (!targets.empty()) silences.emplace(sql, now, rule_id);
  }
  const bool resolved_goes_somewhere =
      std::any_of(targets.begin(), targets.end(), [](const NotificationTarget& t) { return t.send_resolved; });

  std::vector<Planned> planned;
  planned.reserve(ev.updates.size());
  for (const auto& u : ev.updates) {
    Planned p{&u, u.series, {}, false};
    if (u.notify != Notification::none) {
      // Suppressed: silenced, or nowhere to go (a rule that notifies nobody
      // by design, or a resolution no target of it wants).
      const bool nowhere = targets.empty() || (u.notify == Notification::resolved && !resolved_goes_somewhere);
      const bool muted = nowhere || silences->mutes(p.series.server_id);
      p.status = muted ? "suppressed" : "pending";
      p.deliver = !muted;
    }
    planned.push_back(std::move(p));
  }

  std::vector<Planned*> firing, repeats, resolutions;
  std::vector<Delivery> deliveries;
  std::vector<const Planned*> forgotten, saved;
  for (auto& p : planned) {
    const auto notify = p.update->notify;
    if (notify == Notification::firing) firing.push_back(&p);
    else if (notify == Notification::repeat && p.update->open_event_id) repeats.push_back(&p);
    else if (notify == Notification::resolved && p.update->open_event_id) resolutions.push_back(&p);
  }

  insert_events(sql, rule, now, firing);
  for (auto* p : firing) {
    p->series.last_notified_at = ev.evaluated_at;
    touched.push_back(*p->series.event_id);
  }
  update_events(sql, "last_notified_at = ", now, repeats);
  for (auto* p : repeats) p->series.last_notified_at = ev.evaluated_at;
  update_events(sql, "status = 'resolved', resolved_at = ", now, resolutions);
  for (const auto* p : resolutions) touched.push_back(*p->update->open_event_id);

  for (const auto& p : planned) {
    const auto event_id = p.update->notify == Notification::firing ? p.series.event_id : p.update->open_event_id;
    if (p.deliver && event_id) deliveries.push_back({&p, *event_id});
    // Rare (a server registered while its alert was open): one statement each.
    if (const auto open = p.update->open_event_id ? p.update->open_event_id : p.series.event_id;
        p.update->event_gains_server && open && p.series.server_id) {
      long long server_id = *p.series.server_id, id = *open;
      sql << "UPDATE alert_events SET server_id = :s WHERE id = :id AND server_id IS NULL", soci::use(server_id),
          soci::use(id);
    }
    (p.update->forget ? forgotten : saved).push_back(&p);
  }
  drop_resends(sql, now, resolutions);
  queue_notifications(sql, rule, now, deliveries, targets, routing);
  forget_series(sql, rule_id, forgotten);
  save_series(sql, rule_id, saved);
}

std::vector<RecordedEvent> fetch_recorded(soci::session& sql, const std::vector<long long>& ids) {
  std::unordered_map<long long, domain::AlertEvent> found;
  in_chunks(ids.size(), [&](std::size_t first, std::size_t last) {
    BatchStatement st(sql);
    st.text("SELECT ").text(event_columns).text(" FROM alert_events WHERE id IN (");
    for (std::size_t i = first; i < last; ++i) st.text(i == first ? "" : ", ").value(ids[i]);
    st.text(")");
    st.for_each_row([&](const soci::row& r) {
      auto e = read_event(r);
      const long long id = e.id;
      found.emplace(id, std::move(e));
    });
  });
  std::vector<RecordedEvent> out;
  out.reserve(ids.size());
  for (long long id : ids) {
    auto it = found.find(id);
    if (it == found.end()) continue;
    const auto kind = it->second.status == "resolved" ? Notification::resolved : Notification::firing;
    out.push_back({std::move(it->second), kind});
  }
  return out;
}

}  // namespace sentinel::storage
