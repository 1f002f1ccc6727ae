#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>

#include "prometheus/promql_comparison.hpp"

namespace sentinel::prometheus {
namespace {

void expect_split(std::string_view expr, std::string_view promql, std::string_view cmp, double threshold) {
  auto s = split_condition(expr);
  ASSERT_TRUE(s.has_value()) << expr;
  EXPECT_EQ(s->promql, promql) << expr;
  EXPECT_EQ(s->comparison, cmp) << expr;
  EXPECT_EQ(s->threshold, threshold) << expr;
}

void expect_whole(std::string_view expr) {
  auto s = split_condition(expr);
  EXPECT_FALSE(s.has_value()) << expr << " split into " << (s ? s->promql + " " + s->comparison : "");
}

TEST(SplitCondition, SimpleComparisons) {
  expect_split("up == 0", "up", "==", 0);
  expect_split("probe_success == 0", "probe_success", "==", 0);
  expect_split("A > 90", "A", ">", 90);
  expect_split("x != 1", "x", "!=", 1);
  expect_split("x<=2.5", "x", "<=", 2.5);
  expect_split("  x >= 1e3  ", "x", ">=", 1000);
  expect_split("x > 0x10", "x", ">", 16);
  expect_split("x > 010", "x", ">", 8);  // Go's ParseInt(s, 0, 64): octal
  expect_split("x > 09", "x", ">", 9);
  expect_split("x > .5", "x", ">", 0.5);
  expect_split("x > 1e-9", "x", ">", 1e-9);
}

TEST(SplitCondition, NodeExporterRules) {
  expect_split(R"(100 - (avg by(instance) (rate(node_cpu_seconds_total{mode="idle"}[2m])) * 100) > 80)",
               R"(100 - (avg by(instance) (rate(node_cpu_seconds_total{mode="idle"}[2m])) * 100))", ">", 80);
  expect_whole(
      "(node_filesystem_avail_bytes * 100) / node_filesystem_size_bytes < 10 and ON (instance, device, mountpoint) "
      "node_filesystem_readonly == 0");
  expect_whole("probe_ssl_earliest_cert_expiry - time() < 86400 * 30");
  expect_whole("rate(x[5m]) > 0.5 * 2");
  expect_whole(R"(absent(up{job="x"}))");
  expect_split(
      R"(sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05)",
      R"(sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])))", ">", 0.05);
  expect_split("predict_linear(node_filesystem_free_bytes{fstype!~\"tmpfs\"}[1h], 4 * 3600) < 0",
               "predict_linear(node_filesystem_free_bytes{fstype!~\"tmpfs\"}[1h], 4 * 3600)", "<", 0);
  expect_whole("probe_http_status_code <= 199 OR probe_http_status_code >= 400");
  expect_whole("(a > 1) unless b");
}

TEST(SplitCondition, FlipsANumberOnTheLeft) {
  expect_split("90 < A", "A", ">", 90);
  expect_split("90 <= A", "A", ">=", 90);
  expect_split("90 > A", "A", "<", 90);
  expect_split("90 >= A", "A", "<=", 90);
  expect_split("0 == A", "A", "==", 0);
  expect_split("0 != A", "A", "!=", 0);
  expect_split("0 >= probe_ssl_earliest_cert_expiry - time()", "probe_ssl_earliest_cert_expiry - time()", "<=", 0);
}

TEST(SplitCondition, NumbersSignedAndParenthesised) {
  expect_split("x > -1", "x", ">", -1);
  expect_split("x > +1", "x", ">", 1);
  expect_split("x > (-1)", "x", ">", -1);
  expect_split("x > -(1)", "x", ">", -1);
  expect_split("x > ((2))", "x", ">", 2);
  expect_split("x > - -3", "x", ">", 3);
  expect_split("-x > 3", "-x", ">", 3);
  expect_whole("x > (14.4 * 0.001)");
  expect_whole("x > Inf");
  expect_whole("x > NaN");
  expect_whole("x > 1e400");  // not finite
  expect_whole("x > 5m");     // a duration, not a number
}

TEST(SplitCondition, LastTopLevelComparisonWins) {
  expect_split("a > b > 5", "a > b", ">", 5);
  expect_split("(a > 5) > 3", "a > 5", ">", 3);
  expect_whole("a > 5 > b");
  expect_whole("1 > 2");       // both numbers
  expect_whole("> 5");         // empty side
  expect_whole("x >");
  expect_whole("x");
  expect_whole("");
}

TEST(SplitCondition, ModifiersKeepTheExpressionWhole) {
  expect_whole("x > bool 1");
  expect_whole("x > BOOL 1");
  expect_whole("x > on(instance) y");
  expect_whole("x > on(instance) 5");
  expect_whole("x > ignoring(job) group_left 5");
  expect_whole("x == bool 0");
}

TEST(SplitCondition, StringsMatchersAndComments) {
  expect_split(R"(x{a!="b"} > 1)", R"(x{a!="b"})", ">", 1);
  expect_split(R"(x{a=~"b>c", d!~'e and f'} < 2)", R"(x{a=~"b>c", d!~'e and f'})", "<", 2);
  expect_split(R"x(label_replace(x, "dst", "a > 5 or b", "src", "(.*)") > 1)x",
               R"x(label_replace(x, "dst", "a > 5 or b", "src", "(.*)"))x", ">", 1);
  expect_split("x{a=`raw > \\`} > 1", "x{a=`raw > \\`}", ">", 1);
  expect_split("x{a=\"esc \\\" > 5\"} > 1", "x{a=\"esc \\\" > 5\"}", ">", 1);
  expect_split("# a comment > 5\nx > 3 # and 4", "x", ">", 3);
  expect_split("x # c > 9\n > 3", "x", ">", 3);
  expect_whole("x > 3 # comment\n and y");
  expect_whole("x{a=\"unterminated > 5");
  expect_whole("(x > 5");
  expect_whole("x > 5)");
}

TEST(SplitCondition, OffsetAndAt) {
  expect_split("x offset 5m > 3", "x offset 5m", ">", 3);
  expect_split("x offset -5m > 3", "x offset -5m", ">", 3);
  expect_split("x @ 1609746000 > 3", "x @ 1609746000", ">", 3);
  expect_split("rate(x[5m:1m]) > 3", "rate(x[5m:1m])", ">", 3);
}

TEST(SplitCondition, OneWrappingPairRemoved) {
  expect_split("(A) > 90", "A", ">", 90);
  expect_split("((A)) > 90", "(A)", ">", 90);
  expect_split("(a + b) > 90", "a + b", ">", 90);
  expect_split("(a) + (b) > 90", "(a) + (b)", ">", 90);
  expect_split("( rate(x[5m]) # c\n) > 1", "rate(x[5m]) # c", ">", 1);
  expect_split("sum by (x) (rate(y[5m])) > 1", "sum by (x) (rate(y[5m]))", ">", 1);
}

TEST(FirstMetricName, FindsTheFirstSelector) {
  EXPECT_EQ(first_metric_name("up == 0"), "up");
  EXPECT_EQ(first_metric_name(R"(100 - (avg by(instance) (rate(node_cpu_seconds_total{mode="idle"}[2m])) * 100))"),
            "node_cpu_seconds_total");
  EXPECT_EQ(first_metric_name("sum without (cpu, mode) (x)"), "x");
  EXPECT_EQ(first_metric_name("sum(x) by (instance)"), "x");
  EXPECT_EQ(first_metric_name("a * on(instance) group_left(nodename) node_uname_info"), "a");
  EXPECT_EQ(first_metric_name("time() - on(instance) group_left(nodename) node_boot_time_seconds"),
            "node_boot_time_seconds");
  EXPECT_EQ(first_metric_name(R"(absent(up{job="x"}))"), "up");
  EXPECT_EQ(first_metric_name(R"({__name__="foo", job="x"} > 1)"), "foo");
  EXPECT_EQ(first_metric_name(R"({job="x"})"), std::nullopt);
  EXPECT_EQ(first_metric_name("instance:node_cpu:rate5m > 0.9"), "instance:node_cpu:rate5m");
  EXPECT_EQ(first_metric_name("vector(1)"), std::nullopt);
  EXPECT_EQ(first_metric_name("1 + Inf"), std::nullopt);
  EXPECT_EQ(first_metric_name("x{"), std::nullopt);
}

TEST(FormatThreshold, ShortestRoundTrip) {
  EXPECT_EQ(format_threshold(90), "90");
  EXPECT_EQ(format_threshold(0.5), "0.5");
  EXPECT_EQ(format_threshold(1e6), "1e+06");
  EXPECT_EQ(format_threshold(-1), "-1");
  EXPECT_EQ(format_threshold(0.1), "0.1");
  EXPECT_EQ(format_threshold(1e-9), "1e-09");
}

TEST(JoinCondition, ParenthesesOnlyWhenNeeded) {
  EXPECT_EQ(join_condition("up", "==", 0), "up == 0");
  EXPECT_EQ(join_condition("rate(x[5m])", ">", 0.5), "rate(x[5m]) > 0.5");
  EXPECT_EQ(join_condition(R"(sum by (a) (x{b="c"}))", ">", 1), R"(sum by (a) (x{b="c"}) > 1)");
  EXPECT_EQ(join_condition("a + b", ">", 1), "(a + b) > 1");
  EXPECT_EQ(join_condition("-a", ">", 1), "(-a) > 1");
  EXPECT_EQ(join_condition("a and b", ">", 1), "(a and b) > 1");
  EXPECT_EQ(join_condition("x > bool 5", ">", 0), "(x > bool 5) > 0");
  EXPECT_EQ(join_condition("x offset 5m", ">", 3), "(x offset 5m) > 3");
  EXPECT_EQ(join_condition("(a)", ">", 1), "((a)) > 1");
  EXPECT_EQ(join_condition("x # c", ">", 1), "(x # c\n) > 1");
  EXPECT_EQ(join_condition("  x\n", "<", -5), "x < -5");
}

TEST(JoinCondition, SplitGivesThePartsBack) {
  for (std::string q : {"up", "a + b", "(a + b)", "((a))", "a and b", "x > bool 5", "x # c", "# c\nx", "a > 5",
                        "a or b > 3", "-a", "x offset 5m", R"(x{a="(b"})", "sum(rate(x[5m])) / sum(rate(y[5m]))",
                        "a\n  + b"}) {
    for (double t : {0.0, 90.0, -1.0, 0.1, 1e-9, 1e6}) {
      auto s = split_condition(join_condition(q, ">=", t));
      ASSERT_TRUE(s) << q;
      EXPECT_EQ(s->promql, q);
      EXPECT_EQ(s->comparison, ">=");
      EXPECT_EQ(s->threshold, t);
    }
  }
}

}  // namespace
}  // namespace sentinel::prometheus
