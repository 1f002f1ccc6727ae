#include "domain/message_template_functions.hpp"

#include <cmath>
#include <limits>

#include "domain/message_template_go_format.hpp"
#include "domain/message_template_text.hpp"

namespace sentinel::domain::template_detail {

namespace {

using Kind = Value::Kind;

std::string format_int(std::int64_t v) { return std::to_string(v); }

char32_t to_upper_rune(char32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0x80) return c;
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;
  if (c == 0xFF) return 0x178;
  if (c == 0xB5) return 0x39C;
  if (c == 0x131) return 'I';
  if (c == 0x17F) return 'S';
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return (c & 1) ? c - 1 : c;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c : c - 1;
  if (c >= 0x3B1 && c <= 0x3C9) return c == 0x3C2 ? char32_t{0x3A3} : c - 32;
  if (c == 0x3AC) return 0x386;
  if (c >= 0x3AD && c <= 0x3AF) return c - 37;
  if (c == 0x3CC) return 0x38C;
  if (c == 0x3CD || c == 0x3CE) return c - 63;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}

char32_t to_lower_rune(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c == 0x178) return 0xFF;
  if (c == 0x130) return 'i';
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return (c & 1) ? c : c + 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

// strings.Title's word boundary: ASCII other than letters, digits and '_',
// and white space.
bool is_title_separator(char32_t c) {
  if (c < 0x80) return !(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

}  // namespace

// --- Prometheus's humanize*

std::string humanize(double v) {
  if (v == 0 || std::isnan(v) || std::isinf(v)) return go_g(v, 4);
  if (std::fabs(v) >= 1) {
    std::string_view prefix;
    for (const std::string_view p : {"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return go_g(v, 4) + std::string(prefix);
  }
  std::string_view prefix;
  for (const std::string_view p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return go_g(v, 4) + std::string(prefix);
}

std::string humanize1024(double v) {
  if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v)) return go_g(v, 4);
  std::string_view prefix;
  for (const std::string_view p : {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"}) {
    if (std::fabs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return go_g(v, 4) + std::string(prefix);
}

std::string humanize_duration(double v) {
  if (std::isnan(v) || std::isinf(v)) return go_g(v, 4);
  if (v == 0) return go_g(v, 4) + "s";
  if (std::fabs(v) >= 1) {
    std::string sign;
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    // Go's int64(v) of a huge float is undefined; saturate instead.
    const std::int64_t d = v >= 9.2e18 ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(v);
    const std::int64_t seconds = d % 60;
    const std::int64_t minutes = (d / 60) % 60;
    const std::int64_t hours = (d / 60 / 60) % 24;
    const std::int64_t days = d / 60 / 60 / 24;
    if (days != 0) {
      return sign + format_int(days) + "d " + format_int(hours) + "h " + format_int(minutes) + "m " +
             format_int(seconds) + "s";
    }
    if (hours != 0) return sign + format_int(hours) + "h " + format_int(minutes) + "m " + format_int(seconds) + "s";
    if (minutes != 0) return sign + format_int(minutes) + "m " + format_int(seconds) + "s";
    return sign + go_g(v, 4) + "s";
  }
  std::string_view prefix;
  for (const std::string_view p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return go_g(v, 4) + std::string(prefix) + "s";
}

std::string humanize_percentage(double v) { return go_g(v * 100, 4) + "%"; }

bool humanize_timestamp(double v, std::string& out, std::string& err) {
  if (std::isnan(v) || std::isinf(v)) {
    out = go_g(v, 4);
    return true;
  }
  const double ns = v * 1e9;
  if (ns >= 9223372036854775807.0 || ns < -9223372036854775807.0) {
    err = go_g(v, -1) + " cannot be represented as a nanoseconds timestamp since it overflows int64";
    return false;
  }
  const std::int64_t ms = static_cast<std::int64_t>(ns) / 1'000'000;
  std::int64_t secs = ms / 1000;
  std::int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  // Howard Hinnant's civil_from_days.
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  auto two = [](std::int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  std::string y = std::to_string(year < 0 ? -year : year);
  while (y.size() < 4) y.insert(0, 1, '0');
  out = (year < 0 ? "-" : "") + y + "-" + two(month) + "-" + two(day) + " " + two(rem / 3600) + ":" +
        two((rem / 60) % 60) + ":" + two(rem % 60);
  if (frac != 0) {
    std::string f = std::to_string(frac);
    while (f.size() < 3) f.insert(0, 1, '0');
    while (f.back() == '0') f.pop_back();
    out += "." + f;
  }
  out += " +0000 UTC";
  return true;
}

// --- strings

std::string map_case(std::string_view s, CaseMode mode) {
  std::string out;
  out.reserve(s.size());
  char32_t prev = ' ';
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 0;
    const char32_t c = decode_rune(s, i, len);
    if (len == 0) {  // ill-formed byte: kept as it is
      out.push_back(s[i]);
      prev = 0xFFFD;
      ++i;
      continue;
    }
    char32_t m = c;
    if (mode == CaseMode::upper) m = to_upper_rune(c);
    else if (mode == CaseMode::lower) m = to_lower_rune(c);
    else if (is_title_separator(prev)) m = to_upper_rune(c);
    if (m == c) {
      out.append(s.substr(i, len));
    } else {
      append_utf8(out, m);
    }
    prev = c;
    i += len;
  }
  return out;
}

std::string strip_port(std::string_view hp) {
  if (!hp.empty() && hp[0] == '[') {
    const std::size_t close = hp.find(']');
    if (close == std::string_view::npos || close + 1 >= hp.size() || hp[close + 1] != ':') return std::string(hp);
    return std::string(hp.substr(1, close - 1));
  }
  const std::size_t colon = hp.rfind(':');
  if (colon == std::string_view::npos || hp.find(':') != colon) return std::string(hp);
  return std::string(hp.substr(0, colon));
}

// --- comparisons

std::expected<int, std::string_view> compare_values(const Value& a, const Value& b, bool ordered) {
  auto numeric = [](const Value& v) { return v.kind == Kind::integer || v.kind == Kind::floating; };
  if (numeric(a) && numeric(b)) {
    if (a.kind == Kind::integer && b.kind == Kind::integer) return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    const double x = a.kind == Kind::integer ? static_cast<double>(a.i) : a.f;
    const double y = b.kind == Kind::integer ? static_cast<double>(b.i) : b.f;
    return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
  }
  if (a.kind == Kind::string && b.kind == Kind::string) {
    const int r = a.s.compare(b.s);
    return r < 0 ? -1 : r > 0 ? 1 : 0;
  }
  if (a.kind == Kind::boolean && b.kind == Kind::boolean && !ordered) return a.b == b.b ? 0 : 1;
  const bool comparable_a = numeric(a) || a.kind == Kind::string || (a.kind == Kind::boolean && !ordered);
  const bool comparable_b = numeric(b) || b.kind == Kind::string || (b.kind == Kind::boolean && !ordered);
  return std::unexpected(comparable_a && comparable_b ? "incompatible types for comparison"
                                                      : "invalid type for comparison");
}

}  // namespace sentinel::domain::template_detail
