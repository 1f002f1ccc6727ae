#include "storage/alert_event_repository.hpp"

#include <soci/soci.h>

#include <boost/json/array.hpp>

#include "storage/alert_event_rows.hpp"
#include "storage/audit_repository.hpp"
#include "storage/sql_support.hpp"

namespace sentinel::storage {

domain::AlertEvent AlertEventRepository::insert(domain::AlertEvent e) {
  db_.with_session([&](soci::session& sql) {
    const long long id = insert_event(sql, e, core::to_unix(clock_()));
    e = *fetch_event(sql, id);
  });
  return e;
}

core::Result<domain::AlertEvent> AlertEventRepository::get(std::int64_t id) {
  std::optional<domain::AlertEvent> e;
  db_.with_session([&](soci::session& sql) { e = fetch_event(sql, id); });
  if (!e) return core::fail(core::Error::not_found("Alert event not found"));
  return *e;
}

std::vector<domain::AlertEvent> AlertEventRepository::list(const domain::AlertEventFilter& f) {
  std::vector<domain::AlertEvent> out;
  db_.with_session([&](soci::session& sql) {
    const int has_status = f.status ? 1 : 0, has_rule = f.rule_id ? 1 : 0, has_server = f.server_id ? 1 : 0,
              has_since = f.since ? 1 : 0;
    const std::string status = f.status.value_or("");
    const long long rule = f.rule_id.value_or(0), server = f.server_id.value_or(0),
                    since = f.since ? core::to_unix(*f.since) : 0, limit = f.limit, skip = f.skip;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << event_columns
                     << " FROM alert_events WHERE (:hst = 0 OR status = :st) AND (:hr = 0 OR rule_id = :r) AND "
                        "(:hs = 0 OR server_id = :s) AND (:hsi = 0 OR started_at >= :si) "
                        "ORDER BY started_at DESC, id DESC LIMIT :l OFFSET :o",
         soci::use(has_status), soci::use(status), soci::use(has_rule), soci::use(rule), soci::use(has_server),
         soci::use(server), soci::use(has_since), soci::use(since), soci::use(limit), soci::use(skip));
    for (const auto& r : rows) out.push_back(read_event(r));
  });
  return out;
}

core::Result<domain::AlertEvent> AlertEventRepository::acknowledge(std::int64_t id, const domain::AuditActor& actor) {
  std::optional<domain::AlertEvent> e;
  db_.with_session([&](soci::session& sql) {
    sql::WriteTransaction tx(sql, db_.dialect());
    const auto at = clock_();
    auto user = sql::nullable_i64(actor.actor_id);
    const long long key = id, now = core::to_unix(at);
    // Only the first acknowledgement records who and when.
    soci::statement st = (sql.prepare << "UPDATE alert_events SET acknowledged = 1, acknowledged_at = :t, "
                                         "acknowledged_by = :u WHERE id = :id AND acknowledged = 0",
                          soci::use(now), soci::use(user.value, user.ind), soci::use(key));
    st.execute(true);
    e = fetch_event(sql, key);
    if (e && st.get_affected_rows() > 0)
      record_audit(sql, actor, "event.ack", "event", std::to_string(id),
                   boost::json::object{{"acknowledged", boost::json::array{false, true}}}, at);
    tx.commit();
  });
  if (!e) return core::fail(core::Error::not_found("Alert event not found"));
  return *e;
}

}  // namespace sentinel::storage
