#pragma once
// Numbers and durations as people read them in a notification. Plain text:
// the caller escapes for its own markup.
#include <chrono>
#include <optional>
#include <string>

namespace sentinel::notify {

// Shortest text that reads back as the same double ("90", "0.1", "1e+21");
// "NaN", "+Inf", "-Inf" as Prometheus writes them. For machine readers
// (webhook annotations).
std::string format_exact(double v);

// For people: at most two decimals ("95.33", "90", "1234567"); four
// significant digits for magnitudes two decimals cannot show ("0.0004123",
// "1.235e+20").
std::string format_readable(double v);

// `value` next to `threshold` in a message: readable, unless rounding would
// make two different numbers look equal (95.001 vs 95 → "95.001", not "95").
std::string format_value_against(double value, double threshold);

// An event's value with its condition, "97.5 > 90", "no data > 90"; for a
// rule without a condition (fires for every series) just "97.5" or "no data".
std::string value_with_condition(std::optional<double> value, const std::optional<std::string>& comparison,
                                 const std::optional<double>& threshold);

// "45s", "5m 3s", "2h 5m", "3d 4h": the two largest non-zero units; "0s" for
// zero or negative durations (clock skew between processes).
std::string format_duration(std::chrono::seconds d);

}  // namespace sentinel::notify
