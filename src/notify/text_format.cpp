#include "notify/text_format.hpp"

#include "core/utf8.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <utility>

#include "core/number_format.hpp"

namespace sentinel::notify {

std::string format_exact(double v) {
  return core::format_shortest(v);
}

std::string format_readable(double v) {
  if (!std::isfinite(v)) return format_exact(v);
  const double mag = std::fabs(v);
  // Two decimals would print 0.0004 as "0", and %f spells 1e20 with 21 digits.
  if ((mag != 0 && mag < 0.01) || mag >= 1e15) {
    std::array<char, 64> buf{};  // four significant digits and an exponent: under 16 chars
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::general, 4);
    if (ec != std::errc{}) return format_exact(v);
    return std::string(buf.data(), end);
  }
  std::string s = core::format_fixed(v, 2);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

std::string value_with_condition(std::optional<double> value, const std::optional<std::string>& comparison,
                                 const std::optional<double>& threshold) {
  if (!comparison || !threshold) return value ? format_readable(*value) : std::string("no data");
  return (value ? format_value_against(*value, *threshold) : std::string("no data")) + " " +
         core::sanitize_utf8(*comparison) + " " + format_readable(*threshold);
}

std::string format_value_against(double value, double threshold) {
  std::string readable = format_readable(value);
  if (value != threshold && readable == format_readable(threshold)) return format_exact(value);
  return readable;
}

std::string format_duration(std::chrono::seconds d) {
  std::int64_t left = d.count();
  if (left <= 0) return "0s";
  constexpr std::array<std::pair<std::int64_t, const char*>, 4> units{
      {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}}};
  std::string out;
  int shown = 0;
  for (const auto& [size, name] : units) {
    const std::int64_t n = left / size;
    left %= size;
    if (n == 0) {
      if (shown > 0) break;  // "1h 0m 5s" would read as noise: stop at the first gap
      continue;
    }
    if (!out.empty()) out += ' ';
    out += std::to_string(n);
    out += name;
    if (++shown == 2) break;
  }
  return out;
}

}  // namespace sentinel::notify
