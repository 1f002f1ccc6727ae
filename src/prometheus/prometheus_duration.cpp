#include "prometheus/prometheus_duration.hpp"

#include <array>
#include <limits>

namespace sentinel::prometheus {

namespace {

struct Unit {
  std::string_view name;
  std::int64_t ms;
};

// In the order a duration must list them. "ms" before "m" when matching.
constexpr std::array<Unit, 7> units = {{{"y", 365LL * 24 * 3600 * 1000},
                                        {"w", 7LL * 24 * 3600 * 1000},
                                        {"d", 24LL * 3600 * 1000},
                                        {"h", 3600LL * 1000},
                                        {"m", 60LL * 1000},
                                        {"s", 1000},
                                        {"ms", 1}}};

// model.Duration is an int64 of nanoseconds.
constexpr std::int64_t max_ms = std::numeric_limits<std::int64_t>::max() / 1000000;

std::string invalid(std::string_view text) { return "not a valid duration string: \"" + std::string(text) + "\""; }

}  // namespace

std::expected<std::int64_t, std::string> parse_prometheus_duration(std::string_view text) {
  if (text == "0") return 0;  // model.ParseDuration allows a bare 0 and no other unitless number
  if (text.empty()) return std::unexpected(invalid(text));
  std::int64_t total = 0;
  std::size_t next_unit = 0;  // units before this one are used up
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t digits_begin = i;
    std::int64_t value = 0;
    bool overflow = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      const int d = text[i] - '0';
      if (value > (max_ms - d) / 10) overflow = true;
      if (!overflow) value = value * 10 + d;
      ++i;
    }
    if (i == digits_begin) return std::unexpected(invalid(text));
    std::size_t unit = units.size();
    for (std::size_t u = 0; u < units.size(); ++u) {
      const auto name = units[u].name;
      if (text.substr(i, name.size()) != name) continue;
      // "m" must not take the "m" of "ms".
      if (name == "m" && text.substr(i, 2) == "ms") continue;
      unit = u;
      break;
    }
    if (unit == units.size() || unit < next_unit) return std::unexpected(invalid(text));
    i += units[unit].name.size();
    next_unit = unit + 1;
    if (overflow || value > (max_ms - total) / units[unit].ms)
      return std::unexpected("duration out of range: \"" + std::string(text) + "\"");
    total += value * units[unit].ms;
  }
  return total;
}

std::string format_prometheus_duration_ms(std::int64_t ms) {
  if (ms <= 0) return "0s";
  std::string out;
  for (const auto& [name, mult] : units) {
    // Only years and weeks that divide exactly: 90d reads better than 12w6d.
    if ((name == "y" || name == "w") && ms % mult != 0) continue;
    if (const std::int64_t v = ms / mult; v > 0) {
      out += std::to_string(v);
      out += name;
      ms -= v * mult;
    }
  }
  return out;
}

std::string format_prometheus_duration(std::int64_t seconds) {
  if (seconds <= 0) return "0s";
  if (seconds > max_ms / 1000) seconds = max_ms / 1000;
  return format_prometheus_duration_ms(seconds * 1000);
}

}  // namespace sentinel::prometheus
