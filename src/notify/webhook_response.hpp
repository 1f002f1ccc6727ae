#pragma once
// What a webhook receiver's answer means for the outbox, following
// Alertmanager's webhook notifier: 2xx is delivered, 5xx is worth retrying,
// and other 4xx mean the request itself is refused (wrong URL, auth), so
// retrying would not help. 429 and 408 are the exceptions: the receiver
// asks to come back later.
#include <optional>
#include <string_view>

#include "notify/delivery_result.hpp"

namespace sentinel::notify {

// `retry_after` is the Retry-After header, if any (delay-seconds form; an
// HTTP date is ignored and the caller's backoff applies). `body` is quoted,
// bounded, in the detail of a failure. Never throws.
DeliveryResult classify_webhook_response(long http_status, std::optional<std::string_view> retry_after,
                                         std::string_view body);

// A request that got no HTTP answer (connection refused, DNS, timeout): retry.
DeliveryResult webhook_network_failure(std::string_view detail);

}  // namespace sentinel::notify
