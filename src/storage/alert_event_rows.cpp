#include "storage/alert_event_rows.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "storage/sql_support.hpp"

namespace sentinel::storage {

const char* const event_columns =
    "id, rule_id, server_id, rule_name, status, severity, value, threshold, comparison, labels, fingerprint, "
    "message, started_at, resolved_at, last_notified_at, notification_status, acknowledged, acknowledged_at, "
    "acknowledged_by, created_at";

std::map<std::string, std::string> parse_labels(const std::string& text) {
  std::map<std::string, std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& [k, val] : v.as_object())
    if (val.is_string()) out.emplace(std::string(k), std::string(val.as_string()));
  return out;
}

std::string labels_json(const std::map<std::string, std::string>& labels) {
  boost::json::object o;
  for (const auto& [k, v] : labels) o[k] = v;
  return boost::json::serialize(o);
}

domain::AlertEvent read_event(const soci::row& r) {
  domain::AlertEvent e;
  e.id = sql::get_i64(r, 0);
  e.rule_id = sql::get_opt_i64(r, 1);
  e.server_id = sql::get_opt_i64(r, 2);
  e.rule_name = sql::get_str(r, 3);
  e.status = sql::get_str(r, 4);
  e.severity = sql::get_str(r, 5);
  e.value = sql::get_opt_double(r, 6);
  // comparison '' = a rule without a condition (migration 0006).
  e.comparison = sql::get_str(r, 8);
  if (e.comparison->empty()) {
    e.comparison.reset();
    e.threshold.reset();
  } else {
    e.threshold = sql::get_double(r, 7);
  }
  e.labels = parse_labels(sql::get_str(r, 9));
  e.fingerprint = sql::get_str(r, 10);
  e.message = sql::get_str(r, 11);
  e.started_at = sql::get_time(r, 12);
  e.resolved_at = sql::get_opt_time(r, 13);
  e.last_notified_at = sql::get_opt_time(r, 14);
  e.notification_status = sql::get_str(r, 15);
  e.acknowledged = sql::get_bool(r, 16);
  e.acknowledged_at = sql::get_opt_time(r, 17);
  e.acknowledged_by = sql::get_opt_i64(r, 18);
  e.created_at = sql::get_time(r, 19);
  return e;
}

std::optional<domain::AlertEvent> fetch_event(soci::session& sql, long long id) {
  soci::row r;
  sql << "SELECT " << event_columns << " FROM alert_events WHERE id = :id", soci::use(id), soci::into(r);
  if (!sql.got_data()) return std::nullopt;
  return read_event(r);
}

long long insert_event(soci::session& sql, const domain::AlertEvent& e, long long now) {
  auto rule_id = sql::nullable_i64(e.rule_id), server_id = sql::nullable_i64(e.server_id);
  sql::Nullable<double> value(e.value);
  auto resolved = sql::nullable_time(e.resolved_at), notified = sql::nullable_time(e.last_notified_at),
       acked_at = sql::nullable_time(e.acknowledged_at);
  auto acked_by = sql::nullable_i64(e.acknowledged_by);
  const std::string labels = labels_json(e.labels);
  const long long started = core::to_unix(e.started_at);
  const int acked = e.acknowledged ? 1 : 0;
  const double threshold = e.threshold.value_or(0);
  const std::string comparison = e.comparison.value_or("");
  long long id = 0;
  sql << "INSERT INTO alert_events (rule_id, server_id, rule_name, status, severity, value, threshold, comparison, "
         "labels, fingerprint, message, started_at, resolved_at, last_notified_at, notification_status, "
         "acknowledged, acknowledged_at, acknowledged_by, created_at) VALUES (:rule, :server, :name, :status, "
         ":severity, :value, :threshold, :comparison, :labels, :fp, :message, :started, :resolved, :notified, "
         ":ns, :acked, :acked_at, :acked_by, :created) RETURNING id",
      soci::use(rule_id.value, rule_id.ind), soci::use(server_id.value, server_id.ind), soci::use(e.rule_name),
      soci::use(e.status), soci::use(e.severity), soci::use(value.value, value.ind), soci::use(threshold),
      soci::use(comparison), soci::use(labels), soci::use(e.fingerprint), soci::use(e.message),
      soci::use(started), soci::use(resolved.value, resolved.ind), soci::use(notified.value, notified.ind),
      soci::use(e.notification_status), soci::use(acked), soci::use(acked_at.value, acked_at.ind),
      soci::use(acked_by.value, acked_by.ind), soci::use(now), soci::into(id);
  return id;
}

}  // namespace sentinel::storage
