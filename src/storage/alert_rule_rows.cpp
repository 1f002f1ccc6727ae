#include "storage/alert_rule_rows.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "storage/sql_support.hpp"

namespace sentinel::storage {

const char* const rule_columns =
    "id, name, server_id, metric_name, promql, threshold, comparison, repeat_interval_sec, is_active, channel, "
    "for_sec, recovery_threshold, no_data_state, severity, description, eval_interval_sec, state, "
    "last_evaluated_at, last_value, last_error, created_at, updated_at, channel_ids, group_wait_sec, "
    "group_interval_sec, summary, labels, annotations, rule_group, keep_firing_for_sec";
const std::size_t rule_column_count = 30;

std::string channel_ids_text(const std::vector<std::int64_t>& ids) {
  return boost::json::serialize(boost::json::array(ids.begin(), ids.end()));
}

std::string string_map_text(const std::map<std::string, std::string>& m) {
  boost::json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return boost::json::serialize(o);
}

std::map<std::string, std::string> parse_string_map(const std::string& text) {
  // Written only by string_map_text(); anything else reads as empty.
  std::map<std::string, std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& [k, x] : v.as_object())
    if (x.is_string()) out.emplace(std::string(k), std::string(x.as_string()));
  return out;
}

std::vector<std::int64_t> parse_channel_ids(const std::string& text) {
  // Written only by channel_ids_text(); anything else reads as no channels.
  std::vector<std::int64_t> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& id : v.as_array())
    if (id.is_int64()) out.push_back(id.as_int64());
  return out;
}

domain::AlertRule read_rule(const soci::row& r) {
  domain::AlertRule x;
  x.id = sql::get_i64(r, 0);
  x.name = sql::get_str(r, 1);
  x.server_id = sql::get_opt_i64(r, 2);
  x.metric_name = sql::get_str(r, 3);
  x.promql = sql::get_str(r, 4);
  // comparison '' = no condition (migration 0006).
  x.comparison = sql::get_str(r, 6);
  if (x.comparison->empty()) {
    x.comparison.reset();
    x.threshold.reset();
  } else {
    x.threshold = sql::get_double(r, 5);
  }
  x.repeat_interval_sec = sql::get_i64(r, 7);
  x.is_active = sql::get_bool(r, 8);
  x.channel = sql::get_str(r, 9);
  x.for_sec = sql::get_i64(r, 10);
  x.recovery_threshold = sql::get_opt_double(r, 11);
  x.no_data_state = sql::get_str(r, 12);
  x.severity = sql::get_str(r, 13);
  x.description = sql::get_opt_str(r, 14);
  x.eval_interval_sec = sql::get_opt_i64(r, 15);
  x.state = sql::get_str(r, 16);
  x.last_evaluated_at = sql::get_opt_time(r, 17);
  x.last_value = sql::get_opt_double(r, 18);
  x.last_error = sql::get_opt_str(r, 19);
  x.created_at = sql::get_time(r, 20);
  x.updated_at = sql::get_time(r, 21);
  x.channel_ids = parse_channel_ids(sql::get_str(r, 22));
  x.group_wait_sec = sql::get_opt_i64(r, 23);
  x.group_interval_sec = sql::get_opt_i64(r, 24);
  x.summary = sql::get_opt_str(r, 25);
  x.labels = parse_string_map(sql::get_str(r, 26));
  x.annotations = parse_string_map(sql::get_str(r, 27));
  x.rule_group = sql::get_opt_str(r, 28);
  x.keep_firing_for_sec = sql::get_i64(r, 29);
  return x;
}

std::optional<domain::AlertRule> fetch_rule(soci::session& sql, long long id) {
  soci::row r;
  sql << "SELECT " << rule_columns << " FROM alert_rules WHERE id = :id", soci::use(id), soci::into(r);
  if (!sql.got_data()) return std::nullopt;
  return read_rule(r);
}

}  // namespace sentinel::storage
