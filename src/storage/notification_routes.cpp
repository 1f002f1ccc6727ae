#include "storage/notification_routes.hpp"

#include <algorithm>
#include <charconv>

#include "storage/channel_rows.hpp"

namespace sentinel::storage {

namespace {

bool configured(const std::string& channel, const RoutingDefaults& d) {
  return (channel == "telegram" && d.telegram_configured) || (channel == "webhook" && d.webhook_configured);
}

bool is_environment_channel(const std::string& channel) { return channel == "telegram" || channel == "webhook"; }

}  // namespace

std::string channel_key(std::int64_t channel_id) { return "#" + std::to_string(channel_id); }

std::optional<std::int64_t> channel_id_of(std::string_view key) {
  if (key.size() < 2 || key.front() != '#') return std::nullopt;
  std::int64_t id = 0;
  const auto* end = key.data() + key.size();
  const auto [at, ec] = std::from_chars(key.data() + 1, end, id);
  if (ec != std::errc() || at != end || id <= 0) return std::nullopt;
  return id;
}

RuleRouting routing_of(const domain::AlertRule& rule) {
  return {rule.id, rule.channel, rule.channel_ids, rule.severity, rule.group_wait_sec, rule.group_interval_sec};
}

std::vector<NotificationTarget> notification_targets(soci::session& sql, const RuleRouting& rule,
                                                     const RoutingDefaults& defaults) {
  std::vector<NotificationTarget> out;
  if (configured(rule.channel, defaults)) out.push_back({rule.channel, true});
  auto add_channels = [&](const std::vector<std::int64_t>& ids) {
    // A channel deleted meanwhile is skipped (deleting one a rule names is
    // refused, but a default may go at any time).
    for (const auto& [id, send_resolved] : channels_send_resolved(sql, ids))
      out.push_back({channel_key(id), send_resolved});
  };
  add_channels(rule.channel_ids);
  if (out.empty() && rule.channel != "none") {
    add_channels(default_channel_ids(sql, rule.severity));
    // Nowhere else to go: the environment channel the rule names, whose
    // delivery then fails saying what to configure, rather than silence.
    if (out.empty() && is_environment_channel(rule.channel)) out.push_back({rule.channel, true});
  }
  return out;
}

long long group_time(soci::session& sql, const RuleRouting& rule, const std::string& target, long long now,
                     const RoutingDefaults& defaults) {
  const long long wait = std::max<std::int64_t>(0, rule.group_wait_sec.value_or(defaults.group_wait_sec));
  const long long interval =
      std::max<std::int64_t>(0, rule.group_interval_sec.value_or(defaults.group_interval_sec));
  // The latest group of this rule on this target: the one waiting, or the
  // one that went out last. Re-sends to Alertmanager keep their own pace.
  long long latest = 0;
  soci::indicator ind = soci::i_null;
  const long long rule_id = rule.rule_id;
  sql << "SELECT MAX(group_at) FROM notification_outbox WHERE rule_id = :r AND channel = :c AND kind <> 'resend'",
      soci::use(rule_id), soci::use(target), soci::into(latest, ind);
  if (ind == soci::i_ok) {
    if (latest > now) return latest;
    if (latest + interval > now) return latest + interval;
  }
  return now + wait;
}

}  // namespace sentinel::storage
