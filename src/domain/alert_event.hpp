#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace sentinel::domain {

struct AlertEvent {
  std::int64_t id = 0;
  std::optional<std::int64_t> rule_id;    // null once the rule is deleted
  std::optional<std::int64_t> server_id;  // null for an unregistered instance
  std::string rule_name;                  // copied: history outlives the rule
  std::string status = "firing";          // "firing" | "resolved"
  std::string severity = "warning";
  std::optional<double> value;
  // Both null for a rule that fires for every series (no condition).
  std::optional<double> threshold = 0;
  std::optional<std::string> comparison = ">";
  std::map<std::string, std::string> labels;  // the series' label set
  std::string fingerprint;                    // stable hash of `labels` + rule id
  std::string message;
  core::Timestamp started_at{};
  std::optional<core::Timestamp> resolved_at;
  std::optional<core::Timestamp> last_notified_at;
  std::string notification_status = "pending";  // pending | sent | failed | suppressed
  bool acknowledged = false;
  std::optional<core::Timestamp> acknowledged_at;
  std::optional<std::int64_t> acknowledged_by;  // user id
  core::Timestamp created_at{};
};

struct AlertEventFilter {
  std::optional<std::string> status;
  std::optional<std::int64_t> rule_id;
  std::optional<std::int64_t> server_id;
  std::optional<core::Timestamp> since;  // started_at >= since
  std::int64_t skip = 0;
  std::int64_t limit = 100;
};

}  // namespace sentinel::domain
