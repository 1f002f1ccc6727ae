#include "storage/self_monitoring_queries.hpp"

#include <soci/soci.h>

#include "storage/sql_support.hpp"

namespace sentinel::storage {

namespace {

// Rows of (text, count) into a map.
std::map<std::string, std::int64_t> counts(Database& db, const char* query) {
  std::map<std::string, std::int64_t> out;
  db.with_session([&](soci::session& sql) {
    soci::rowset<soci::row> rows = sql.prepare << query;
    for (const auto& r : rows) out[sql::get_str(r, 0)] += sql::get_i64(r, 1);
  });
  return out;
}

}  // namespace

std::map<std::string, std::int64_t> count_rules_by_state(Database& db) {
  return counts(db,
                "SELECT CASE WHEN is_active = 0 THEN 'paused' ELSE state END AS s, COUNT(*) "
                "FROM alert_rules GROUP BY CASE WHEN is_active = 0 THEN 'paused' ELSE state END");
}

std::map<std::string, std::int64_t> count_outbox_backlog(Database& db) {
  // notification_outbox_due (status, next_attempt_at) serves the filter.
  // By channel type, as sentinel_notifications_total: a label per stored
  // channel would grow with every channel made.
  return counts(db,
                "SELECT t, COUNT(*) FROM (SELECT CASE WHEN o.channel LIKE '#%' THEN COALESCE(c.type, 'deleted') "
                "ELSE o.channel END AS t FROM notification_outbox o LEFT JOIN notification_channels c "
                "ON o.channel = '#' || CAST(c.id AS TEXT) WHERE o.status = 'pending') AS pending GROUP BY t");
}

}  // namespace sentinel::storage
