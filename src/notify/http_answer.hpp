#pragma once
// What a target's HTTP answer means for the outbox, for every HTTP channel
// (Telegram through its own envelope, see telegram_request.hpp):
//   2xx                  → delivered
//   429, 408             → retry, after Retry-After (seconds or HTTP-date),
//                          else a JSON body's "retry_after" in seconds
//                          (Discord: a float), else the caller's backoff
//   5xx                  → retry (Retry-After honoured when sent)
//   other (4xx, 3xx, 1xx) → failed: the request itself is refused (wrong
//                          URL, bad token, invalid payload) and will not heal
// The detail names the target by its host and quotes its message (a JSON
// body's "message", "error", "description" or "errors", else the body's
// first line), bounded, with every secret of the request redacted.
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"
#include "notify/delivery_result.hpp"
#include "notify/outbound_request.hpp"

namespace sentinel::notify {

struct HttpAnswer {
  long status = 0;
  std::optional<std::string> retry_after;  // the Retry-After header
  std::string body;
};

// `now`: when the answer came (an HTTP-date Retry-After is relative to it).
// Never throws, whatever the body holds.
DeliveryResult classify_answer(const OutboundRequest& request, const HttpAnswer& answer, core::Timestamp now);

// A request that got no answer (DNS, refused, timeout): retry, with the
// transport's message redacted.
DeliveryResult network_failure(const OutboundRequest& request, std::string_view message);

}  // namespace sentinel::notify
