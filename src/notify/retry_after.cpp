#include "notify/retry_after.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "notify/delivery_result.hpp"

namespace sentinel::notify {

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::optional<int> number(std::string_view s) {
  if (!all_digits(s) || s.size() > 9) return std::nullopt;
  int n = 0;
  std::from_chars(s.data(), s.data() + s.size(), n);
  return n;
}

std::optional<unsigned> month_number(std::string_view s) {
  static constexpr std::array<std::string_view, 12> names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned i = 0; i < names.size(); ++i)
    if (s == names[i]) return i + 1;
  return std::nullopt;
}

// "08:49:37" → seconds into the day.
std::optional<int> time_of_day(std::string_view s) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  const auto h = number(s.substr(0, 2));
  const auto m = number(s.substr(3, 2));
  const auto sec = number(s.substr(6, 2));
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
  return *h * 3600 + *m * 60 + std::min(*sec, 59);
}

std::vector<std::string_view> tokens(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ' ' || s[i] == ',' || s[i] == '-') {
      if (i > start) out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::optional<core::Timestamp> make_time(int year, unsigned month, int day, int seconds) {
  using namespace std::chrono;
  const year_month_day date{std::chrono::year{year}, std::chrono::month{month},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  return core::Timestamp{sys_days{date}.time_since_epoch() + std::chrono::seconds{seconds}};
}

}  // namespace

std::optional<std::chrono::seconds> retry_after_seconds(std::string_view value) {
  std::string_view s = trimmed(value);
  bool fraction = false;
  if (const auto dot = s.find('.'); dot != std::string_view::npos) {
    const std::string_view decimals = s.substr(dot + 1);
    if (!decimals.empty() && !all_digits(decimals)) return std::nullopt;
    fraction = decimals.find_first_not_of('0') != std::string_view::npos;
    s = s.substr(0, dot);
  }
  if (!all_digits(s)) return std::nullopt;
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  // Digits past int64 ask for "very long": the longest wait, not a parse error.
  if (ec == std::errc::result_out_of_range) return max_requested_wait;
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return bounded_requested_wait(fraction && n < max_requested_wait.count() ? n + 1 : n);
}

std::optional<core::Timestamp> parse_http_date(std::string_view value) {
  const auto t = tokens(trimmed(value));
  if (t.size() == 5 && month_number(t[1])) {  // asctime: Sun Nov  6 08:49:37 1994
    const auto day = number(t[2]);
    const auto secs = time_of_day(t[3]);
    const auto year = number(t[4]);
    if (!day || !secs || !year || t[4].size() != 4) return std::nullopt;
    return make_time(*year, *month_number(t[1]), *day, *secs);
  }
  if (t.size() != 6 || t[5] != "GMT") return std::nullopt;
  const auto day = number(t[1]);
  const auto month = month_number(t[2]);
  auto year = number(t[3]);
  const auto secs = time_of_day(t[4]);
  if (!day || !month || !year || !secs) return std::nullopt;
  if (t[3].size() == 2) {
    *year += *year < 70 ? 2000 : 1900;  // RFC 850's two-digit year; past dates only matter as "now"
  } else if (t[3].size() != 4) {
    return std::nullopt;
  }
  return make_time(*year, *month, *day, *secs);
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, core::Timestamp now) {
  if (auto secs = retry_after_seconds(value)) return secs;
  const auto date = parse_http_date(value);
  if (!date) return std::nullopt;
  return bounded_requested_wait((*date - now).count());
}

}  // namespace sentinel::notify
