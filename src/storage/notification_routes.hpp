#pragma once
// Where a rule's notifications go and when (product.md §9), decided inside
// the transaction that records them, so that a crash between recording and
// delivery changes neither the targets nor the grouping.
//
// Targets: the rule's `channel` when it names an environment-configured
// channel that is configured ("telegram", "webhook"), plus each of its
// channel_ids ("#<id>"); with neither, the channels that are default for
// the rule's severity; with none of those either, the rule's `channel`
// itself, whose delivery then fails saying it is not configured (as before
// channels were data). A rule whose channel is "none" goes only to its
// channel_ids. Internal to storage/.
#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/alert_rule.hpp"

namespace sentinel::storage {

// What the deployment's environment says about routing (the same in every
// process): which environment channels are configured, and the grouping
// defaults (GROUP_WAIT_SEC, GROUP_INTERVAL_SEC).
struct RoutingDefaults {
  bool telegram_configured = false;
  bool webhook_configured = false;
  std::int64_t group_wait_sec = 30;
  std::int64_t group_interval_sec = 300;
};

// What of a rule routing reads.
struct RuleRouting {
  long long rule_id = 0;
  std::string channel;  // "telegram" | "webhook" | "none"
  std::vector<std::int64_t> channel_ids;
  std::string severity;
  std::optional<std::int64_t> group_wait_sec;      // null: the default
  std::optional<std::int64_t> group_interval_sec;  // null: the default
};

// An outbox target: "telegram" | "webhook" | "#<id>".
struct NotificationTarget {
  std::string key;
  bool send_resolved = true;
};

std::string channel_key(std::int64_t channel_id);
// The channel id of a "#<id>" key; nullopt for "telegram" and "webhook".
std::optional<std::int64_t> channel_id_of(std::string_view key);

std::vector<NotificationTarget> notification_targets(soci::session& sql, const RuleRouting& rule,
                                                     const RoutingDefaults& defaults);

// When a notification of `rule` on `target` recorded at `now` goes out
// (Alertmanager's grouping): with the rule's group for that target still
// waiting, at that group's time (it joins it); within group_interval of the
// group that went out last, group_interval after it; else after
// group_wait. A lone alert waits at most group_wait; a group's later changes
// go out at most once per group_interval.
long long group_time(soci::session& sql, const RuleRouting& rule, const std::string& target, long long now,
                     const RoutingDefaults& defaults);

RuleRouting routing_of(const domain::AlertRule& rule);

}  // namespace sentinel::storage
