#pragma once
// What one delivery attempt came to, for every channel: the outbox decides
// from `status` whether to mark the notification sent, try again later, or
// give up (a wrong chat id or a 404 webhook does not heal by itself, so
// retrying it forever would only hide the error).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::notify {

enum class DeliveryStatus {
  delivered,
  retry,   // transient: network, timeout, 5xx, 429; try again after a backoff (or `retry_after`)
  failed,  // permanent: the request itself is wrong (bad chat, bad token, 4xx)
};

struct DeliveryResult {
  DeliveryStatus status = DeliveryStatus::retry;
  std::string detail;  // why, for logs and the event; bounded, valid UTF-8; empty when delivered
  std::optional<std::chrono::seconds> retry_after;  // the wait the server asked for (429), else unset
  std::optional<std::int64_t> message_id;           // Telegram's id of the sent message
};

// The longest wait a target's answer is taken at (Retry-After, Telegram's
// retry_after): far above any channel's maximum backoff (the dispatcher caps
// it again, at NOTIFY_MAX_BACKOFF_SEC), and small enough that "now + wait"
// never overflows a clock.
inline constexpr std::chrono::seconds max_requested_wait{7 * 86400};

// A wait a target asked for, in whole seconds, within 1 s..max_requested_wait.
std::chrono::seconds bounded_requested_wait(std::int64_t seconds);

// `text` fit for a log line or a database column: at most 512 bytes (cut on
// a UTF-8 boundary, "…" marking the cut), ill-formed UTF-8 replaced.
std::string bounded_detail(std::string_view text);

}  // namespace sentinel::notify
