#include "storage/notification_rows.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <vector>

#include "storage/alert_rule_rows.hpp"
#include "storage/sql_support.hpp"

namespace sentinel::storage {

bool silenced(soci::session& sql, long long now, const std::optional<std::int64_t>& server_id, long long rule_id) {
  auto server = sql::nullable_i64(server_id);
  long long n = 0;
  sql << "SELECT COUNT(*) FROM silences WHERE starts_at <= :n1 AND ends_at > :n2 "
         "AND (server_id IS NULL OR server_id = :s) AND (rule_id IS NULL OR rule_id = :r)",
      soci::use(now), soci::use(now), soci::use(server.value, server.ind), soci::use(rule_id), soci::into(n);
  return n > 0;
}

void end_alerts_of_rule(soci::session& sql, long long rule_id, long long now, std::string_view reason,
                        const RoutingDefaults& routing) {
  const auto rule = fetch_rule(sql, rule_id);
  if (!rule) return;
  const RuleRouting route = routing_of(*rule);
  std::vector<NotificationTarget> targets;
  for (auto& t : notification_targets(sql, route, routing))
    if (t.send_resolved) targets.push_back(std::move(t));

  struct Open {
    long long event_id;
    std::optional<std::int64_t> server_id;
    std::optional<std::string> server_name, instance;
  };
  std::vector<Open> open;
  {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT s.event_id, s.server_id, v.name, v.instance FROM alert_series_state s "
                        "LEFT JOIN servers v ON v.id = s.server_id "
                        "WHERE s.rule_id = :id AND s.state = 'firing' AND s.event_id IS NOT NULL",
         soci::use(rule_id));
    for (const auto& r : rows)
      open.push_back({sql::get_i64(r, 0), sql::get_opt_i64(r, 1), sql::get_opt_str(r, 2), sql::get_opt_str(r, 3)});
  }
  // One group time per target for all of them: they end together.
  std::vector<long long> due;
  if (!open.empty())
    for (const auto& t : targets) due.push_back(group_time(sql, route, t.key, now, routing));
  for (const auto& o : open) {
    const bool deliver = !targets.empty() && !silenced(sql, now, o.server_id, rule_id);
    const std::string status = deliver ? "pending" : "suppressed";
    sql << "UPDATE alert_events SET status = 'resolved', resolved_at = :n, notification_status = :s "
           "WHERE id = :id AND status = 'firing'",
        soci::use(now), soci::use(status), soci::use(o.event_id);
    sql << "DELETE FROM notification_outbox WHERE kind = 'resend' AND status = 'pending' AND event_id = :id",
        soci::use(o.event_id);
    if (!deliver) continue;
    boost::json::object payload;
    payload["server_name"] = o.server_name ? boost::json::value(*o.server_name) : nullptr;
    payload["instance"] = o.instance ? boost::json::value(*o.instance) : nullptr;
    payload["description"] = rule->description ? boost::json::value(*rule->description) : nullptr;
    payload["reason"] = reason;
    const std::string text = boost::json::serialize(payload);
    for (std::size_t i = 0; i < targets.size(); ++i)
      sql << "INSERT INTO notification_outbox (event_id, rule_id, channel, kind, payload, status, attempts, "
             "next_attempt_at, group_at, created_at) VALUES (:e, :r, :c, 'resolved', :p, 'pending', 0, :n, :g, :cr)",
          soci::use(o.event_id), soci::use(rule_id), soci::use(targets[i].key), soci::use(text), soci::use(due[i]),
          soci::use(due[i]), soci::use(now);
  }
  sql << "DELETE FROM alert_series_state WHERE rule_id = :id", soci::use(rule_id);
}

}  // namespace sentinel::storage
