#include "storage/outbox_repository.hpp"

#include <soci/soci.h>

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

}  // namespace

std::vector<OutboxItem> OutboxRepository::claim_due(std::string_view owner_view, std::int64_t lease_sec,
                                                    std::size_t limit) {
  std::vector<OutboxItem> out;
  const std::string owner(owner_view);
  db_.with_statements([&](soci::session& sql, StatementCache& cache) {
    const bool pg = db_.dialect() == Dialect::postgresql;
    const long long now = core::to_unix(clock_()), lim = static_cast<long long>(limit);
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
    soci::rowset<soci::row> rows =
        // One event's notifications on one channel go out in order: a row
        // waits while an earlier one is still pending (being retried or in
        // flight), so a resolution never overtakes its firing, which would
        // leave a webhook receiver with an open alert.
        (sql.prepare << "SELECT o.id, o.event_id, o.channel, o.kind, o.payload, o.attempts, o.created_at "
                        "FROM notification_outbox o "
                        "WHERE o.status = 'pending' AND o.next_attempt_at <= :n1 "
                        "AND (o.lease_expires_at IS NULL OR o.lease_expires_at <= :n2) "
                        "AND NOT EXISTS (SELECT 1 FROM notification_outbox p WHERE p.status = 'pending' "
                        "AND p.event_id = o.event_id AND p.channel = o.channel AND p.id < o.id) "
                        "ORDER BY o.id LIMIT :l"
                     << (pg ? " FOR UPDATE SKIP LOCKED" : ""),
         soci::use(now), soci::use(now), soci::use(lim));
    for (const auto& r : rows)
      out.push_back({sql::get_i64(r, 0), sql::get_i64(r, 1), sql::get_str(r, 2), sql::get_str(r, 3),
                     sql::get_str(r, 4), sql::get_i64(r, 5), sql::get_time(r, 6)});
    const long long until = now + lease_sec;
    for (const auto& item : out) {
      const long long id = item.id;
      sql << "UPDATE notification_outbox SET lease_owner = :o, lease_expires_at = :u WHERE id = :id",
          soci::use(owner), soci::use(until), soci::use(id);
    }
    tx.commit();
  });
  return out;
}

void OutboxRepository::finish(std::int64_t id, const char* row_status, const char* event_status,
                              const std::string* error) {
  db_.with_session([&](soci::session& sql) {
    sql::WriteTransaction tx(sql, db_.dialect());
    const long long key = id, now = core::to_unix(clock_());
    const std::string rs = row_status, es = event_status;
    sql::Nullable<std::string> err(error ? std::optional<std::string>(*error) : std::nullopt);
    sql << "UPDATE notification_outbox SET status = :s, attempts = attempts + 1, last_error = :e, "
           "delivered_at = :d, lease_owner = NULL, lease_expires_at = NULL WHERE id = :id",
        soci::use(rs), soci::use(err.value, err.ind), soci::use(now), soci::use(key);
    sql << "UPDATE alert_events SET notification_status = :s WHERE id = "
           "(SELECT event_id FROM notification_outbox WHERE id = :id)",
        soci::use(es), soci::use(key);
    tx.commit();
  });
}

void OutboxRepository::mark_sent(std::int64_t id) { finish(id, "sent", "sent", nullptr); }

void OutboxRepository::mark_failed(std::int64_t id, const std::string& error) {
  finish(id, "failed", "failed", &error);
}

void OutboxRepository::mark_retry(std::int64_t id, core::Timestamp next_attempt_at, const std::string& error) {
  db_.with_session([&](soci::session& sql) {
    const long long key = id, next = core::to_unix(next_attempt_at);
    sql << "UPDATE notification_outbox SET attempts = attempts + 1, last_error = :e, next_attempt_at = :n, "
           "lease_owner = NULL, lease_expires_at = NULL WHERE id = :id",
        soci::use(error), soci::use(next), soci::use(key);
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

}  // namespace sentinel::storage
