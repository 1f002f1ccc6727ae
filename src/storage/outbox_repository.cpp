#include "storage/outbox_repository.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "storage/alert_event_rows.hpp"
#include "storage/batch_statement.hpp"
#include "storage/notification_routes.hpp"
#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace sentinel::storage {

namespace {

// Whether any row may be claimable now (a row leased by a live dispatcher
// counts too: the claim itself decides). Prepared once per connection.
struct AnyDue {
  long long now = 0, found = 0;
  soci::statement st;
  AnyDue(soci::session& sql, Dialect)
      : st((sql.prepare << "SELECT COUNT(*) FROM (SELECT 1 FROM notification_outbox WHERE status = 'pending' "
                           "AND next_attempt_at <= :n LIMIT 1) AS due",
            soci::use(now), soci::into(found))) {}
};

// Rows read per claim at most: every group a claim may take, whole.
constexpr std::size_t max_claim_rows = 4000;

// Calls `write(first, last)` for each chunk of [0, n).
template <class F>
void in_chunks(std::size_t n, F&& write) {
  for (std::size_t at = 0; at < n; at += BatchStatement::chunk_rows)
    write(at, std::min(n, at + BatchStatement::chunk_rows));
}

// " id IN (a, b, ...)" of ids[first, last).
void id_list(BatchStatement& st, std::string_view column, const std::vector<std::int64_t>& ids, std::size_t first,
             std::size_t last) {
  st.text(column).text(" IN (");
  for (std::size_t i = first; i < last; ++i) st.text(i == first ? "" : ", ").value(static_cast<long long>(ids[i]));
  st.text(")");
}

void load_events(soci::session& sql, std::vector<OutboxGroup>& groups) {
  std::vector<std::int64_t> ids;
  for (const auto& g : groups)
    for (const auto& item : g.items) ids.push_back(item.event_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::map<std::int64_t, domain::AlertEvent> found;
  in_chunks(ids.size(), [&](std::size_t first, std::size_t last) {
    BatchStatement st(sql);
    st.text("SELECT ").text(event_columns).text(" FROM alert_events WHERE ");
    id_list(st, "id", ids, first, last);
    st.for_each_row([&](const soci::row& r) {
      auto e = read_event(r);
      const auto id = e.id;
      found.emplace(id, std::move(e));
    });
  });
  for (auto& g : groups)
    for (auto& item : g.items)
      if (auto it = found.find(item.event_id); it != found.end()) item.event = it->second;
}

// A due row the claim read, before it knows whether the row must wait.
struct Candidate {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::optional<std::int64_t> rule_id;
  std::string channel, kind, payload;
  std::int64_t attempts = 0;
  core::Timestamp created_at{};
  bool waits = false;
};

// One event's notifications on one target go out in order: a row waits
// while an earlier one is pending (being retried or in flight), so a
// resolution never overtakes its firing, which would leave a receiver with
// an open alert. A firing is the first of its event and never waits. A
// waiting Alertmanager re-send holds nothing back; one in flight does.
//
// The earlier rows are read in one statement per chunk of events, by
// event_id (notification_outbox_event), and compared here. As a NOT EXISTS
// in the claim, PostgreSQL planned it by statistics gathered while nothing
// was pending, as a scan per candidate: 1-1.8 s for a resolution storm of
// 3 000 rows (bench/fleet storm).
void drop_waiting(soci::session& sql, long long now, std::vector<Candidate>& candidates) {
  std::vector<std::int64_t> events;
  for (const auto& c : candidates)
    if (c.kind != "firing") events.push_back(c.event_id);
  if (events.empty()) return;
  std::sort(events.begin(), events.end());
  events.erase(std::unique(events.begin(), events.end()), events.end());
  // (event, target) -> the earliest pending row that holds the others back.
  std::map<std::pair<std::int64_t, std::string>, std::int64_t> first_blocking;
  in_chunks(events.size(), [&](std::size_t first, std::size_t last) {
    BatchStatement st(sql);
    st.text("SELECT event_id, channel, id, kind, lease_expires_at FROM notification_outbox WHERE status = 'pending' "
            "AND ");
    id_list(st, "event_id", events, first, last);
    st.for_each_row([&](const soci::row& r) {
      const bool in_flight = r.get_indicator(4) == soci::i_ok && sql::get_i64(r, 4) > now;
      if (sql::get_str(r, 3) == "resend" && !in_flight) return;
      auto key = std::make_pair(sql::get_i64(r, 0), sql::get_str(r, 1));
      const auto id = sql::get_i64(r, 2);
      auto [it, added] = first_blocking.emplace(std::move(key), id);
      if (!added && id < it->second) it->second = id;
    });
  });
  for (auto& c : candidates) {
    if (c.kind == "firing") continue;
    const auto it = first_blocking.find({c.event_id, c.channel});
    c.waits = it != first_blocking.end() && it->second < c.id;
  }
}

domain::NotificationDelivery read_delivery(const soci::row& r) {
  // o.event_id, e.rule_id, e.rule_name, o.channel, c.name, c.type, o.kind, o.status, o.attempts,
  // o.last_error, o.delivered_at, o.next_attempt_at, o.created_at
  domain::NotificationDelivery d;
  d.event_id = sql::get_i64(r, 0);
  d.rule_id = sql::get_opt_i64(r, 1);
  d.rule_name = sql::get_opt_str(r, 2).value_or("");
  const std::string key = sql::get_str(r, 3);
  d.channel_id = channel_id_of(key);
  if (d.channel_id) {
    d.channel = sql::get_opt_str(r, 4).value_or("deleted channel " + key);
    d.type = sql::get_opt_str(r, 5).value_or("");
  } else {
    d.channel = d.type = key;  // "telegram" | "webhook": named by their type
  }
  d.kind = sql::get_str(r, 6);
  d.status = sql::get_str(r, 7);
  d.attempts = sql::get_i64(r, 8);
  d.last_error = sql::get_opt_str(r, 9);
  if (d.status == "sent") d.sent_at = sql::get_opt_time(r, 10);
  if (d.status == "pending") d.next_attempt_at = sql::get_opt_time(r, 11);
  d.created_at = sql::get_time(r, 12);
  return d;
}

constexpr const char* delivery_select =
    "SELECT o.event_id, e.rule_id, e.rule_name, o.channel, c.name, c.type, o.kind, o.status, o.attempts, "
    "o.last_error, o.delivered_at, o.next_attempt_at, o.created_at FROM notification_outbox o "
    "LEFT JOIN alert_events e ON e.id = o.event_id "
    "LEFT JOIN notification_channels c ON o.channel = '#' || CAST(c.id AS TEXT) ";

}  // namespace

std::vector<std::int64_t> OutboxGroup::ids() const {
  std::vector<std::int64_t> out;
  out.reserve(items.size());
  for (const auto& i : items) out.push_back(i.id);
  return out;
}

std::int64_t OutboxGroup::max_attempts() const {
  std::int64_t most = 0;
  for (const auto& i : items) most = std::max(most, i.attempts);
  return most;
}

std::vector<OutboxGroup> OutboxRepository::claim_due_groups(std::string_view owner_view, std::int64_t lease_sec,
                                                            std::size_t max_groups) {
  std::vector<OutboxGroup> out;
  if (max_groups == 0) return out;
  const std::string owner(owner_view);
  db_.with_statements([&](soci::session& sql, StatementCache& cache) {
    const bool pg = db_.dialect() == Dialect::postgresql;
    const long long now = core::to_unix(clock_());
    const long long limit = static_cast<long long>(std::min(max_claim_rows, max_groups * max_group_rows));
    {
      // Nearly every poll finds nothing due: say so with a plain read,
      // without the write transaction (on SQLite the one write lock, which
      // the alert engine's claims and outcome writes wait for).
      auto any = cache.get<AnyDue>();
      any->now = now;
      any->st.execute(true);
      if (any->found == 0) return;
    }
    sql::WriteTransaction tx(sql, db_.dialect(), cache);
    std::vector<Candidate> candidates;
    {
      soci::rowset<soci::row> rows =
          (sql.prepare << "SELECT o.id, o.event_id, o.rule_id, o.channel, o.kind, o.payload, o.attempts, "
                          "o.created_at FROM notification_outbox o "
                          "WHERE o.status = 'pending' AND o.next_attempt_at <= :n1 "
                          "AND (o.lease_expires_at IS NULL OR o.lease_expires_at <= :n2) ORDER BY o.id LIMIT :l"
                       << (pg ? " FOR UPDATE SKIP LOCKED" : ""),
           soci::use(now), soci::use(now), soci::use(limit));
      for (const auto& r : rows)
        candidates.push_back({sql::get_i64(r, 0), sql::get_i64(r, 1), sql::get_opt_i64(r, 2), sql::get_str(r, 3),
                              sql::get_str(r, 4), sql::get_str(r, 5), sql::get_i64(r, 6), sql::get_time(r, 7)});
    }
    drop_waiting(sql, now, candidates);
    std::map<std::tuple<long long, std::string, std::string>, std::size_t> group_of;
    {
      for (auto& c : candidates) {
        if (c.waits) continue;
        auto key = std::make_tuple(c.rule_id.value_or(-1), c.channel, c.kind);
        auto it = group_of.find(key);
        if (it == group_of.end()) {
          if (out.size() == max_groups) continue;  // the next claim takes it
          it = group_of.emplace(key, out.size()).first;
          out.push_back({c.rule_id, c.channel, c.kind, {}});
        }
        auto& group = out[it->second];
        if (group.items.size() == max_group_rows) continue;
        group.items.push_back({c.id, c.event_id, c.kind, std::move(c.payload), c.attempts, c.created_at, std::nullopt});
      }
    }
    std::vector<std::int64_t> ids;
    for (const auto& g : out)
      for (const auto& item : g.items) ids.push_back(item.id);
    const long long until = now + lease_sec;
    in_chunks(ids.size(), [&](std::size_t first, std::size_t last) {
      BatchStatement st(sql);
      st.text("UPDATE notification_outbox SET lease_owner = ").value(owner).text(", lease_expires_at = ");
      st.value(until).text(" WHERE ");
      id_list(st, "id", ids, first, last);
      st.execute();
    });
    load_events(sql, out);
    tx.commit();
  });
  return out;
}

void OutboxRepository::finish(const OutboxGroup& group, const char* status, const std::string* error,
                              std::optional<core::Timestamp> resend_at) {
  const auto ids = group.ids();
  db_.with_session([&](soci::session& sql) {
    sql::WriteTransaction tx(sql, db_.dialect());
    const long long now = core::to_unix(clock_());
    if (resend_at && group.kind != "resolved") {
      // Alertmanager forgets an alert that is not sent again before its
      // endsAt: each event still firing goes again at resend_at, once.
      long long event_id = 0, rule_id = group.rule_id.value_or(0), at = core::to_unix(*resend_at);
      std::string payload;
      soci::indicator rule_ind = group.rule_id ? soci::i_ok : soci::i_null;
      soci::statement st =
          (sql.prepare << "INSERT INTO notification_outbox (event_id, rule_id, channel, kind, payload, status, "
                          "attempts, next_attempt_at, group_at, created_at) "
                          "SELECT e.id, :r, :c, 'resend', :p, 'pending', 0, :a1, :a2, :n FROM alert_events e "
                          "WHERE e.id = :e AND e.status = 'firing' AND NOT EXISTS (SELECT 1 FROM "
                          "notification_outbox w WHERE w.event_id = e.id AND w.channel = :c2 AND w.kind = 'resend' "
                          "AND w.status = 'pending' AND w.next_attempt_at > :n2)",
           soci::use(rule_id, rule_ind), soci::use(group.channel), soci::use(payload), soci::use(at), soci::use(at),
           soci::use(now), soci::use(event_id), soci::use(group.channel), soci::use(now));
      for (const auto& item : group.items) {
        event_id = item.event_id;
        payload = item.payload;
        st.execute(true);
      }
    }
    in_chunks(ids.size(), [&](std::size_t first, std::size_t last) {
      BatchStatement st(sql);
      if (group.kind == "resend") {
        // A re-send leaves no history: the next one is queued above.
        st.text("DELETE FROM notification_outbox WHERE ");
      } else {
        st.text("UPDATE notification_outbox SET status = ").value(std::string(status));
        st.text(", attempts = attempts + 1, last_error = ").value(error ? std::optional<std::string>(*error)
                                                                         : std::nullopt);
        st.text(", delivered_at = ").value(now).text(", lease_owner = NULL, lease_expires_at = NULL WHERE ");
      }
      id_list(st, "id", ids, first, last);
      st.execute();
    });
    if (group.kind == "resend") {
      tx.commit();
      return;
    }
    std::vector<std::int64_t> events;
    for (const auto& item : group.items) events.push_back(item.event_id);
    in_chunks(events.size(), [&](std::size_t first, std::size_t last) {
      BatchStatement st(sql);
      st.text("UPDATE alert_events SET notification_status = ").value(std::string(status)).text(" WHERE ");
      id_list(st, "id", events, first, last);
      if (std::string_view(status) == "sent")
        // Sent here, failed to another target: the event says "failed".
        st.text(" AND NOT EXISTS (SELECT 1 FROM notification_outbox f WHERE f.event_id = alert_events.id "
                "AND f.status = 'failed' AND f.kind = ").value(group.kind).text(")");
      st.execute();
    });
    tx.commit();
  });
}

void OutboxRepository::mark_sent(const OutboxGroup& group, std::optional<core::Timestamp> resend_at) {
  finish(group, "sent", nullptr, resend_at);
}

void OutboxRepository::mark_failed(const OutboxGroup& group, const std::string& error,
                                   std::optional<core::Timestamp> resend_at) {
  finish(group, "failed", &error, resend_at);
}

void OutboxRepository::mark_retry(const OutboxGroup& group, core::Timestamp next_attempt_at,
                                  const std::string& error) {
  const auto ids = group.ids();
  db_.with_session([&](soci::session& sql) {
    sql::WriteTransaction tx(sql, db_.dialect());
    in_chunks(ids.size(), [&](std::size_t first, std::size_t last) {
      BatchStatement st(sql);
      st.text("UPDATE notification_outbox SET attempts = attempts + 1, last_error = ").value(error);
      st.text(", next_attempt_at = ").value(static_cast<long long>(core::to_unix(next_attempt_at)));
      st.text(", lease_owner = NULL, lease_expires_at = NULL WHERE ");
      id_list(st, "id", ids, first, last);
      st.execute();
    });
    tx.commit();
  });
}

std::optional<core::Timestamp> OutboxRepository::next_due_at() {
  std::optional<core::Timestamp> out;
  db_.with_session([&](soci::session& sql) {
    long long n = 0, t = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT COUNT(*), MIN(next_attempt_at) FROM notification_outbox WHERE status = 'pending'", soci::into(n),
        soci::into(t, ind);
    if (n > 0 && ind == soci::i_ok) out = core::from_unix(t);
  });
  return out;
}

std::int64_t OutboxRepository::pending_count() {
  long long n = 0;
  db_.with_session([&](soci::session& sql) {
    sql << "SELECT COUNT(*) FROM notification_outbox WHERE status = 'pending'", soci::into(n);
  });
  return n;
}

std::vector<domain::NotificationDelivery> OutboxRepository::for_event(std::int64_t event_id) {
  std::vector<domain::NotificationDelivery> out;
  db_.with_session([&](soci::session& sql) {
    const long long id = event_id;
    soci::rowset<soci::row> rows = (sql.prepare << delivery_select
                                                << "WHERE o.event_id = :e AND o.kind <> 'resend' ORDER BY o.id",
                                    soci::use(id));
    for (const auto& r : rows) out.push_back(read_delivery(r));
  });
  return out;
}

std::vector<domain::NotificationDelivery> OutboxRepository::for_channel(std::int64_t channel_id, std::int64_t limit) {
  std::vector<domain::NotificationDelivery> out;
  db_.with_session([&](soci::session& sql) {
    const std::string key = channel_key(channel_id);
    const long long n = limit;
    soci::rowset<soci::row> rows =
        (sql.prepare << delivery_select << "WHERE o.channel = :c AND o.kind <> 'resend' ORDER BY o.id DESC LIMIT :l",
         soci::use(key), soci::use(n));
    for (const auto& r : rows) out.push_back(read_delivery(r));
  });
  return out;
}

}  // namespace sentinel::storage
