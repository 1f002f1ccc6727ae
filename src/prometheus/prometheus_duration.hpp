#pragma once
// Durations as Prometheus writes them in rule files (`for: 5m`,
// `interval: 1h30m`): github.com/prometheus/common/model.ParseDuration and
// Duration.String().
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace sentinel::prometheus {

// "1h30m", "5m", "90s", "1d", "1w", "1y", "500ms", "0s", "0" → milliseconds.
// Units y (365d) w d h m s ms, each at most once and in that order, with a
// decimal integer before each; no sign, no spaces, no fractions. Fails with
// `not a valid duration string: "<text>"` (model.ParseDuration's words) for
// anything else, and with `duration out of range: "<text>"` past what an
// int64 of nanoseconds holds (about 292 years).
std::expected<std::int64_t, std::string> parse_prometheus_duration(std::string_view text);

// model.Duration.String(): "0s", "1h30m", "5m", "1d", "2w", "1y", "1s500ms";
// years and weeks only when they divide the duration exactly (90d, not
// 12w6d). Negative durations are formatted as 0s (rule files have none).
std::string format_prometheus_duration_ms(std::int64_t milliseconds);
std::string format_prometheus_duration(std::int64_t seconds);

}  // namespace sentinel::prometheus
