#include "core/number_format.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace sentinel::core {

namespace {

const char* non_finite(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return nullptr;
}

}  // namespace

std::string format_shortest(double v) {
  if (const char* s = non_finite(v)) return s;
  std::array<char, 64> buf{};  // the shortest round-trip form is at most 24 chars
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  if (ec != std::errc{}) return "NaN";  // cannot happen with 64 bytes; never read an unwritten buffer
  return std::string(buf.data(), end);
}

std::string format_fixed(double v, int decimals) {
  if (const char* s = non_finite(v)) return s;
  if (decimals < 0) decimals = 0;
  // DBL_MAX has 309 integer digits: sign, 309 digits, point and the decimals.
  std::array<char, 400> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed, decimals);
  if (ec != std::errc{}) return format_shortest(v);
  return std::string(buf.data(), end);
}

std::string format_hex64(std::uint64_t v) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (std::size_t i = 16; i-- > 0; v >>= 4) out[i] = hex[v & 15];
  return out;
}

}  // namespace sentinel::core
