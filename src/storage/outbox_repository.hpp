#pragma once
// The notification outbox (notification_outbox): rows are written by the
// alert engine in the same transaction as their event change
// (AlertEngineStore::record), one per target, each with the time its group
// goes out (notification_routes.hpp), and delivered here at least once, a
// group at a time: the due rows of one rule, target and kind are leased
// together and sent as one message. After a crash the lease runs out and
// another (or the restarted) dispatcher delivers them again.
// All calls block: run them on the BlockingPool.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "domain/alert_event.hpp"
#include "domain/notification_delivery.hpp"
#include "storage/database.hpp"

namespace sentinel::storage {

struct OutboxItem {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::string kind;     // "firing" | "repeat" | "resolved" | "resend" (Alertmanager, while firing)
  std::string payload;  // JSON written by the engine
  std::int64_t attempts = 0;
  core::Timestamp created_at{};
  std::optional<domain::AlertEvent> event;  // null: the event was deleted meanwhile
};

// Due rows of one rule for one target, of one kind: one message.
struct OutboxGroup {
  std::optional<std::int64_t> rule_id;
  std::string channel;  // "telegram" | "webhook" | "#<channel id>"
  std::string kind;
  std::vector<OutboxItem> items;  // by id

  std::vector<std::int64_t> ids() const;
  std::int64_t max_attempts() const;  // the most attempts any row has had
};

class OutboxRepository {
 public:
  OutboxRepository(Database& db, core::Clock clock) : db_(db), clock_(std::move(clock)) {}

  // Rows per group at most: a group beyond it is sent as several messages
  // (each already cut to its target's limit with "… and N more").
  static constexpr std::size_t max_group_rows = 1000;

  // At most `max_groups` due groups (oldest first), their rows leased to
  // `owner` for `lease_sec`. One event's notifications on one target go out
  // in order: a row waits while an earlier one is pending.
  std::vector<OutboxGroup> claim_due_groups(std::string_view owner, std::int64_t lease_sec, std::size_t max_groups);

  // Delivered: the rows are done and their events' notification_status is
  // "sent" (unless another target failed the same notification).
  // `resend_at` (Alertmanager): each event still firing is sent again then.
  void mark_sent(const OutboxGroup& group, std::optional<core::Timestamp> resend_at = std::nullopt);
  // A retryable failure: counted, retried at `next_attempt_at`.
  void mark_retry(const OutboxGroup& group, core::Timestamp next_attempt_at, const std::string& error);
  // Given up: the rows are done and their events' notification_status is "failed".
  void mark_failed(const OutboxGroup& group, const std::string& error,
                   std::optional<core::Timestamp> resend_at = std::nullopt);

  // When the next pending row is due (nullopt: nothing pending).
  std::optional<core::Timestamp> next_due_at();
  std::int64_t pending_count();

  // Every notification of event `event_id`, by id (Alertmanager re-sends left out).
  std::vector<domain::NotificationDelivery> for_event(std::int64_t event_id);
  // The last `limit` notifications to stored channel `channel_id`, newest first.
  std::vector<domain::NotificationDelivery> for_channel(std::int64_t channel_id, std::int64_t limit);

 private:
  void finish(const OutboxGroup& group, const char* status, const std::string* error,
              std::optional<core::Timestamp> resend_at);

  Database& db_;
  core::Clock clock_;
};

}  // namespace sentinel::storage
