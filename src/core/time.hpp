#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::core {

// All stored times are whole seconds since the Unix epoch, UTC.
using Timestamp = std::chrono::sys_seconds;

// "2026-11-23T22:24:26Z"
std::string format_iso8601(Timestamp t);

// Accepts "YYYY-MM-DDTHH:MM:SS" with optional fraction and "Z" or "±HH:MM"
// offset (no offset = UTC), or a date "YYYY-MM-DD". nullopt when malformed.
std::optional<Timestamp> parse_iso8601(std::string_view s);

inline std::int64_t to_unix(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp from_unix(std::int64_t s) { return Timestamp{std::chrono::seconds{s}}; }

// Injected clock: production uses system time, tests pass a fixed one.
using Clock = std::function<Timestamp()>;
Timestamp system_now();

}  // namespace sentinel::core
