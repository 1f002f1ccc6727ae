#pragma once
// The wait a target asks for before the next attempt: the Retry-After header
// (RFC 9110 §10.2.3: delay-seconds or an HTTP-date; Slack, Discord and most
// webhook receivers send it with a 429 or 503).
#include <chrono>
#include <optional>
#include <string_view>

#include "core/time.hpp"

namespace sentinel::notify {

// The delay-seconds form only ("120"; surrounding blanks allowed; a decimal
// "1.5" is taken rounded up, as some proxies send it), bounded by
// bounded_requested_wait(); digits past int64 mean the longest wait.
// nullopt for anything else.
std::optional<std::chrono::seconds> retry_after_seconds(std::string_view value);

// An HTTP-date in any of the three forms a recipient must accept:
// "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate), "Sunday, 06-Nov-94
// 08:49:37 GMT" (RFC 850) and "Sun Nov  6 08:49:37 1994" (asctime).
// nullopt when malformed.
std::optional<core::Timestamp> parse_http_date(std::string_view value);

// Either form: seconds, or the time until the date (a date already past
// gives the shortest wait, 1 s). nullopt when neither parses.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, core::Timestamp now);

}  // namespace sentinel::notify
