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
  return counts(db, "SELECT channel, COUNT(*) FROM notification_outbox WHERE status = 'pending' GROUP BY channel");
}

}  // namespace sentinel::storage
