#pragma once
// Internal to sentinel_domain: what the template functions compute, apart
// from their argument checks and errors, which the executor owns. printf and
// print are Go's fmt (message_template_go_format.hpp).
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "domain/message_template_program.hpp"

namespace sentinel::domain::template_detail {

// Prometheus's humanize, humanize1024, humanizeDuration and
// humanizePercentage, in its output formats ("1.5k", "2Mi", "1d 2h 3m 4s").
std::string humanize(double v);
std::string humanize1024(double v);
std::string humanize_duration(double v);
std::string humanize_percentage(double v);

// Go's time.Time.String() of the UTC time, to Prometheus's millisecond
// precision: "2015-06-23 13:19:44.128 +0000 UTC".
// False with Prometheus's error when the time overflows int64 nanoseconds.
bool humanize_timestamp(double v, std::string& out, std::string& err);

// toUpper, toLower and title (strings.Title) over the letters listed in
// message_template.hpp; ill-formed bytes are kept as they are.
enum class CaseMode : std::uint8_t { upper, lower, title };
std::string map_case(std::string_view s, CaseMode mode);

// net.SplitHostPort's host, or the text unchanged when it has no port.
std::string strip_port(std::string_view hp);

// eq, ne, lt, le, gt, ge: -1, 0, 1, or 2 for "unordered" (NaN); for types
// that do not compare, why not (the text Go's error gives).
std::expected<int, std::string_view> compare_values(const Value& a, const Value& b, bool ordered);

}  // namespace sentinel::domain::template_detail
