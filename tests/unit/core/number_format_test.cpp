#include "core/number_format.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace sentinel::core {
namespace {

TEST(FormatFixed, WritesTheGivenDecimals) {
  EXPECT_EQ(format_fixed(1700000000.5, 3), "1700000000.500");
  EXPECT_EQ(format_fixed(-0.25, 2), "-0.25");
  EXPECT_EQ(format_fixed(0, 0), "0");
}

// snprintf("%.3f") into char[64] "returns" 304 for 1e300: the old code copied
// that many bytes of stack into the answer.
TEST(FormatFixed, ExtremeValuesAreWrittenWholeNeverPastTheBuffer) {
  const std::string big = format_fixed(1e300, 3);
  ASSERT_EQ(big.size(), 301u + 4u);
  EXPECT_EQ(big.substr(0, 2), "10");
  EXPECT_EQ(big.find_first_not_of("0123456789."), std::string::npos);
  EXPECT_TRUE(big.ends_with(".000"));
  const std::string most_negative = format_fixed(-1e308, 3);
  EXPECT_EQ(most_negative.size(), 1u + 309u + 4u);
  EXPECT_EQ(most_negative.front(), '-');
  EXPECT_EQ(format_fixed(std::numeric_limits<double>::max(), 3).size(), 309u + 4u);
  EXPECT_EQ(format_fixed(std::numeric_limits<double>::lowest(), 17).size(), 1u + 309u + 18u);
}

TEST(FormatFixed, NonFiniteAndTinyValues) {
  EXPECT_EQ(format_fixed(std::nan(""), 3), "NaN");
  EXPECT_EQ(format_fixed(std::numeric_limits<double>::infinity(), 3), "+Inf");
  EXPECT_EQ(format_fixed(-std::numeric_limits<double>::infinity(), 3), "-Inf");
  EXPECT_EQ(format_fixed(std::numeric_limits<double>::denorm_min(), 3), "0.000");
  EXPECT_EQ(format_fixed(-std::numeric_limits<double>::denorm_min(), 3), "-0.000");
}

TEST(FormatFixed, AbsurdPrecisionFallsBackToTheShortestForm) {
  EXPECT_EQ(format_fixed(-1e308, 500), "-1e+308");
  EXPECT_EQ(format_fixed(1.5, -3), "2");
}

TEST(FormatShortest, RoundTripsEveryKindOfDouble) {
  for (const double v : {0.1, -1e308, 1e300, std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
                         std::numeric_limits<double>::denorm_min(), -std::numeric_limits<double>::min(),
                         -2.2250738585072014e-308}) {
    const std::string s = format_shortest(v);
    EXPECT_LE(s.size(), 24u) << s;
    double back = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), back);
    EXPECT_TRUE(ec == std::errc{} && end == s.data() + s.size()) << s;
    EXPECT_EQ(back, v) << s;
  }
  EXPECT_EQ(format_shortest(std::nan("")), "NaN");
  EXPECT_EQ(format_shortest(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(FormatHex64, SixteenDigitsForEveryValue) {
  EXPECT_EQ(format_hex64(0), "0000000000000000");
  EXPECT_EQ(format_hex64(0xabc), "0000000000000abc");
  EXPECT_EQ(format_hex64(std::numeric_limits<std::uint64_t>::max()), "ffffffffffffffff");
}

}  // namespace
}  // namespace sentinel::core
