#include <gtest/gtest.h>

#include "prometheus/prometheus_duration.hpp"

namespace sentinel::prometheus {
namespace {

std::int64_t ms(std::string_view text) {
  auto r = parse_prometheus_duration(text);
  EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error());
  return r.value_or(-1);
}

TEST(PrometheusDuration, Parses) {
  EXPECT_EQ(ms("1h30m"), 5400000);
  EXPECT_EQ(ms("5m"), 300000);
  EXPECT_EQ(ms("90s"), 90000);
  EXPECT_EQ(ms("1d"), 86400000);
  EXPECT_EQ(ms("1w"), 604800000);
  EXPECT_EQ(ms("1y"), 31536000000);
  EXPECT_EQ(ms("500ms"), 500);
  EXPECT_EQ(ms("1m500ms"), 60500);
  EXPECT_EQ(ms("0s"), 0);
  EXPECT_EQ(ms("0"), 0);
  EXPECT_EQ(ms("0m"), 0);
  EXPECT_EQ(ms("1y2w3d4h5m6s7ms"), 31536000000 + 2 * 604800000LL + 3 * 86400000LL + 4 * 3600000 + 5 * 60000 + 6007);
}

TEST(PrometheusDuration, Refuses) {
  for (std::string_view bad : {"", "5", "300", "m", "5 m", "5 minutes", "1m1h", "1h1h", "-5m", "+5m", "1.5h", "5M",
                               "1ms1s", "5mm", "1h 30m", " 5m", "5m "}) {
    auto r = parse_prometheus_duration(bad);
    EXPECT_FALSE(r.has_value()) << bad;
    if (!r) {
      EXPECT_EQ(r.error(), "not a valid duration string: \"" + std::string(bad) + "\"");
    }
  }
  auto huge = parse_prometheus_duration("300y");
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error(), "duration out of range: \"300y\"");
  EXPECT_FALSE(parse_prometheus_duration("99999999999999999999999s"));
  EXPECT_TRUE(parse_prometheus_duration("292y"));
}

TEST(PrometheusDuration, FormatsLikeModelDuration) {
  EXPECT_EQ(format_prometheus_duration(0), "0s");
  EXPECT_EQ(format_prometheus_duration(5400), "1h30m");
  EXPECT_EQ(format_prometheus_duration(300), "5m");
  EXPECT_EQ(format_prometheus_duration(90), "1m30s");
  EXPECT_EQ(format_prometheus_duration(86400), "1d");
  EXPECT_EQ(format_prometheus_duration(604800), "1w");
  EXPECT_EQ(format_prometheus_duration(14 * 86400), "2w");
  EXPECT_EQ(format_prometheus_duration(90 * 86400), "90d");  // not 12w6d
  EXPECT_EQ(format_prometheus_duration(31536000), "1y");
  EXPECT_EQ(format_prometheus_duration(31536000 + 86400), "366d");
  EXPECT_EQ(format_prometheus_duration(90061), "1d1h1m1s");
  EXPECT_EQ(format_prometheus_duration_ms(1500), "1s500ms");
  EXPECT_EQ(format_prometheus_duration(-5), "0s");
  for (std::int64_t s : {1, 59, 61, 3599, 3600, 86399, 100000, 31536000, 63072000, 604801})
    EXPECT_EQ(ms(format_prometheus_duration(s)), s * 1000) << s;
}

}  // namespace
}  // namespace sentinel::prometheus
