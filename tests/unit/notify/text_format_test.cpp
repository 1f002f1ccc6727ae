#include <gtest/gtest.h>

#include <limits>

#include "notify/text_format.hpp"

namespace sentinel::notify {
namespace {

using std::chrono::seconds;

TEST(FormatExact, ShortestRoundTrip) {
  EXPECT_EQ(format_exact(90), "90");
  EXPECT_EQ(format_exact(0.1), "0.1");
  EXPECT_EQ(format_exact(95.33333333333333), "95.33333333333333");
  EXPECT_EQ(format_exact(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(format_exact(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_exact(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(FormatReadable, TwoDecimalsTrimmed) {
  EXPECT_EQ(format_readable(95.33333), "95.33");
  EXPECT_EQ(format_readable(90), "90");
  EXPECT_EQ(format_readable(12.5), "12.5");
  EXPECT_EQ(format_readable(1234567890), "1234567890");
  EXPECT_EQ(format_readable(-3.999), "-4");
  EXPECT_EQ(format_readable(-0.0), "0");
  EXPECT_EQ(format_readable(0), "0");
}

TEST(FormatReadable, TinyAndHugeStayExact) {
  EXPECT_EQ(format_readable(0.0004), "0.0004");
  EXPECT_EQ(format_readable(0.00041234), "0.0004123");
  EXPECT_EQ(format_readable(1e20), "1e+20");
  EXPECT_EQ(format_readable(1.23456e20), "1.235e+20");
}

TEST(FormatReadable, ExtremeValuesNeverOverrunABuffer) {
  EXPECT_EQ(format_readable(1e300), "1e+300");
  EXPECT_EQ(format_readable(-1e308), "-1e+308");
  EXPECT_EQ(format_readable(std::numeric_limits<double>::max()), "1.798e+308");
  EXPECT_EQ(format_readable(std::numeric_limits<double>::denorm_min()), "4.941e-324");
  EXPECT_EQ(format_readable(-std::numeric_limits<double>::min()), "-2.225e-308");
  EXPECT_EQ(format_readable(999999999999999.9), "999999999999999.88");
  EXPECT_EQ(format_readable(-999999999999999.0), "-999999999999999");
  EXPECT_EQ(format_readable(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(format_readable(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_exact(-1e308), "-1e+308");
  EXPECT_EQ(format_exact(std::numeric_limits<double>::denorm_min()), "5e-324");
}

TEST(FormatValueAgainst, NeverShowsDifferentNumbersAsEqual) {
  EXPECT_EQ(format_value_against(95.333, 90), "95.33");
  EXPECT_EQ(format_value_against(90.001, 90), "90.001");
  EXPECT_EQ(format_value_against(89.999, 90), "89.999");
  EXPECT_EQ(format_value_against(90, 90), "90");
}

TEST(FormatDuration, TwoLargestUnits) {
  EXPECT_EQ(format_duration(seconds{0}), "0s");
  EXPECT_EQ(format_duration(seconds{-5}), "0s");
  EXPECT_EQ(format_duration(seconds{45}), "45s");
  EXPECT_EQ(format_duration(seconds{303}), "5m 3s");
  EXPECT_EQ(format_duration(seconds{3600 * 2 + 300 + 7}), "2h 5m");
  EXPECT_EQ(format_duration(seconds{86400 * 3 + 3600 * 4 + 59}), "3d 4h");
  EXPECT_EQ(format_duration(seconds{3600 + 5}), "1h");
}

}  // namespace
}  // namespace sentinel::notify
