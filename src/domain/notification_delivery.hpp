#pragma once
// One notification of one event to one target, as the outbox records it:
// the `notifications` of GET /api/v1/alerts/events/{id} and a channel's last
// deliveries (GET /api/v1/alerts/channels/{id}/deliveries).
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace sentinel::domain {

struct NotificationDelivery {
  std::int64_t event_id = 0;
  std::optional<std::int64_t> rule_id;
  std::string rule_name;
  std::optional<std::int64_t> channel_id;  // null: an environment channel (TELEGRAM_*, WEBHOOK_URL)
  std::string channel;                     // the channel's name, or "telegram" / "webhook"
  std::string type;                        // its type; "" once a stored channel is deleted
  std::string kind;                        // "firing" | "repeat" | "resolved"
  std::string status;                      // "pending" | "sent" | "failed"
  std::int64_t attempts = 0;
  std::optional<std::string> last_error;   // the target's last answer (never a secret)
  std::optional<core::Timestamp> sent_at;
  std::optional<core::Timestamp> next_attempt_at;  // while pending: when it goes (grouping, retry)
  core::Timestamp created_at{};
};

boost::json::value to_json(const NotificationDelivery& d);

}  // namespace sentinel::domain
