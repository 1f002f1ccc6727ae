#pragma once
// The notification outbox (notification_outbox): rows are written by the
// alert engine in the same transaction as their event change
// (AlertEngineStore::record) and delivered here at least once: a row is
// leased while a dispatcher delivers it, so after a crash the lease runs
// out and another (or the restarted) dispatcher delivers it again.
// All calls block: run them on the BlockingPool.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "storage/database.hpp"

namespace sentinel::storage {

struct OutboxItem {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::string channel;  // "telegram" | "webhook"
  std::string kind;     // "firing" | "repeat" | "resolved"
  std::string payload;  // JSON written by the engine
  std::int64_t attempts = 0;
  core::Timestamp created_at{};
};

class OutboxRepository {
 public:
  OutboxRepository(Database& db, core::Clock clock) : db_(db), clock_(std::move(clock)) {}

  // Due rows (oldest first) leased to `owner` for `lease_sec`.
  std::vector<OutboxItem> claim_due(std::string_view owner, std::int64_t lease_sec, std::size_t limit);

  // Delivered: the row is done and its event's notification_status is "sent".
  void mark_sent(std::int64_t id);
  // A retryable failure: counted, retried at `next_attempt_at`.
  void mark_retry(std::int64_t id, core::Timestamp next_attempt_at, const std::string& error);
  // Given up: the row is done and its event's notification_status is "failed".
  void mark_failed(std::int64_t id, const std::string& error);

  // When the next pending row is due (nullopt: nothing pending).
  std::optional<core::Timestamp> next_due_at();
  std::int64_t pending_count();

 private:
  void finish(std::int64_t id, const char* row_status, const char* event_status, const std::string* error);

  Database& db_;
  core::Clock clock_;
};

}  // namespace sentinel::storage
