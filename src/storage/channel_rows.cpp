#include "storage/channel_rows.hpp"

#include <boost/json/parse.hpp>
#include <algorithm>

#include "storage/alert_rule_rows.hpp"
#include "storage/sql_support.hpp"

namespace sentinel::storage {

namespace {

constexpr const char* columns =
    "id, name, type, settings, secrets, send_resolved, default_for_severities, created_at, updated_at";

// Both are written by the repository as JSON; a row edited by hand into
// something else reads as empty rather than failing every listing.
boost::json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.as_object());
}

std::vector<std::string> parse_strings(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& s : v.as_array())
    if (s.is_string()) out.emplace_back(s.get_string());
  return out;
}

ChannelRow read_channel(const soci::row& r) {
  ChannelRow out;
  auto& c = out.channel;
  c.id = sql::get_i64(r, 0);
  c.name = sql::get_str(r, 1);
  c.type = sql::get_str(r, 2);
  c.settings = parse_object(sql::get_str(r, 3));
  out.sealed_secrets = sql::get_str(r, 4);
  c.send_resolved = sql::get_bool(r, 5);
  c.default_for_severities = parse_strings(sql::get_str(r, 6));
  c.created_at = sql::get_time(r, 7);
  c.updated_at = sql::get_time(r, 8);
  return out;
}

}  // namespace

std::optional<ChannelRow> fetch_channel(soci::session& sql, Dialect dialect, long long id, bool for_update) {
  soci::row r;
  const char* lock = for_update && dialect == Dialect::postgresql ? " FOR UPDATE" : "";
  sql << "SELECT " << columns << " FROM notification_channels WHERE id = :id" << lock, soci::use(id), soci::into(r);
  if (!sql.got_data()) return std::nullopt;
  return read_channel(r);
}

std::vector<domain::Channel> list_channels(soci::session& sql, const std::string& type, long long skip,
                                           long long limit) {
  std::vector<domain::Channel> out;
  const int has_type = type.empty() ? 0 : 1;
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT " << columns
                   << " FROM notification_channels WHERE (:ht = 0 OR type = :t) ORDER BY id LIMIT :l OFFSET :o",
       soci::use(has_type), soci::use(type), soci::use(limit), soci::use(skip));
  for (const auto& r : rows) out.push_back(read_channel(r).channel);
  return out;
}

std::vector<std::int64_t> missing_channels(soci::session& sql, Dialect dialect, const std::vector<std::int64_t>& ids) {
  std::vector<std::int64_t> missing;
  if (ids.empty()) return missing;
  const char* lock = dialect == Dialect::postgresql ? " FOR SHARE" : "";
  long long id = 0, found = 0;
  soci::statement st = (sql.prepare << "SELECT id FROM notification_channels WHERE id = :id" << lock, soci::use(id),
                        soci::into(found));
  for (const auto wanted : ids) {
    id = wanted;
    st.execute(true);
    if (!st.got_data()) missing.push_back(wanted);
  }
  return missing;
}

std::vector<RuleRef> rules_using_channel(soci::session& sql, std::int64_t channel_id) {
  // channel_ids is JSON text in both databases: read the rules that name any
  // channel and look inside here, the same way on SQLite and PostgreSQL.
  std::vector<RuleRef> out;
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT id, name, channel_ids FROM alert_rules WHERE channel_ids <> '[]' ORDER BY id");
  for (const auto& r : rows) {
    const auto ids = parse_channel_ids(sql::get_str(r, 2));
    if (std::find(ids.begin(), ids.end(), channel_id) != ids.end())
      out.push_back({sql::get_i64(r, 0), sql::get_str(r, 1)});
  }
  return out;
}

std::vector<std::int64_t> default_channel_ids(soci::session& sql, std::string_view severity) {
  std::vector<std::int64_t> out;
  // The array is written by the channel repository from three fixed words,
  // so a quoted word matches exactly one element; the check below keeps that
  // true should a row be edited by hand.
  const std::string quoted = "%\"" + std::string(severity) + "\"%";
  soci::rowset<soci::row> rows = (sql.prepare << "SELECT id, default_for_severities FROM notification_channels "
                                                 "WHERE default_for_severities LIKE :q ORDER BY id",
                                  soci::use(quoted));
  for (const auto& r : rows) {
    boost::system::error_code ec;
    auto v = boost::json::parse(sql::get_str(r, 1), ec);
    if (ec || !v.is_array()) continue;
    for (const auto& s : v.as_array())
      if (s.is_string() && s.get_string() == severity) {
        out.push_back(sql::get_i64(r, 0));
        break;
      }
  }
  return out;
}

std::map<std::int64_t, bool> channels_send_resolved(soci::session& sql, const std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, bool> out;
  long long id = 0;
  int send_resolved = 1;
  soci::statement st = (sql.prepare << "SELECT send_resolved FROM notification_channels WHERE id = :id",
                        soci::use(id), soci::into(send_resolved));
  for (const auto wanted : ids) {
    id = wanted;
    st.execute(true);
    if (st.got_data()) out[wanted] = send_resolved != 0;
  }
  return out;
}

}  // namespace sentinel::storage
