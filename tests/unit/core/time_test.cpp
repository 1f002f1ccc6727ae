#include "core/time.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>

namespace sentinel::core {
namespace {

std::optional<std::int64_t> unix_of(std::string_view s) {
  const auto t = parse_iso8601(s);
  if (!t) return std::nullopt;
  return to_unix(*t);
}

TEST(FormatIso8601, WritesUtcWithAZ) {
  EXPECT_EQ(format_iso8601(from_unix(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(from_unix(1795472666)), "2026-11-23T22:24:26Z");
  EXPECT_EQ(format_iso8601(from_unix(951782400)), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_iso8601(from_unix(-1)), "1969-12-31T23:59:59Z");
}

// std::chrono::year holds only ±32767 and days→seconds overflows near the
// ends of int64: every representable time is written as a well-formed date.
TEST(FormatIso8601, YearsPast9999AndInt64Extremes) {
  EXPECT_EQ(format_iso8601(from_unix(253402300799)), "9999-12-31T23:59:59Z");
  EXPECT_EQ(format_iso8601(from_unix(253402300800)), "10000-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(from_unix(-62135596800)), "0001-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(from_unix(1000000000000)), "33658-09-27T01:46:40Z");
  const std::string max = format_iso8601(from_unix(std::numeric_limits<std::int64_t>::max()));
  EXPECT_EQ(max, "292277026596-12-04T15:30:07Z");
  const std::string min = format_iso8601(from_unix(std::numeric_limits<std::int64_t>::min()));
  EXPECT_EQ(min, "-292277022657-01-27T08:29:52Z");
}

TEST(ParseIso8601, ReadsTheFormatWeWrite) {
  EXPECT_EQ(unix_of("2026-11-23T22:24:26Z"), 1795472666);
  for (const std::int64_t t : {0LL, 1LL, 951782400LL, 1795472666LL, 4102444799LL})
    EXPECT_EQ(parse_iso8601(format_iso8601(from_unix(t))), from_unix(t)) << t;
}

TEST(ParseIso8601, AcceptsCommonVariants) {
  EXPECT_EQ(unix_of("2026-11-23t22:24:26z"), 1795472666);
  EXPECT_EQ(unix_of("2026-11-23 22:24:26Z"), 1795472666);
  EXPECT_EQ(unix_of("2026-11-23T22:24:26"), 1795472666);       // no offset = UTC
  EXPECT_EQ(unix_of("2026-11-23T22:24:26.999Z"), 1795472666);  // fraction truncated
  EXPECT_EQ(unix_of("2026-11-23T22:24:26.123456789"), 1795472666);
  EXPECT_EQ(unix_of("2026-11-24T00:24:26+02:00"), 1795472666);
  EXPECT_EQ(unix_of("2026-11-23T16:54:26-05:30"), 1795472666);
  EXPECT_EQ(unix_of("2026-11-23T22:24:26+00:00"), 1795472666);
  EXPECT_EQ(unix_of("2026-11-23"), 1795392000);  // midnight UTC
  EXPECT_EQ(unix_of("2024-02-29T12:00:00Z"), 1709208000);
}

TEST(ParseIso8601, RejectsMalformedInput) {
  for (const auto* bad : {"",
                          "2026",
                          "2026-11",
                          "2026-11-2",
                          "26-11-23",
                          "2026/11/23",
                          "2026-13-01",
                          "2026-00-10",
                          "2026-02-29",
                          "2026-04-31",
                          "2026-11-23T",
                          "2026-11-23T22:24",
                          "2026-11-23T24:00:00Z",
                          "2026-11-23T22:60:00Z",
                          "2026-11-23T22:24:26.Z",
                          "2026-11-23T22:24:26Zjunk",
                          "2026-11-23T22:24:26+0200",
                          "2026-11-23T22:24:26+02",
                          "2026-11-23T22:24:26+24:00",
                          "2026-11-23X22:24:26Z",
                          "2026-11-23T22:24:26 ",
                          "tomorrow",
                          "2026-1a-23"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_iso8601(bad).has_value());
  }
}

}  // namespace
}  // namespace sentinel::core
