#include "observability/metrics_registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <vector>

namespace sentinel::observability {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

TEST(Counter, AddsWholeAndFractionalIncrements) {
  Counter c;
  EXPECT_EQ(c.value(), 0.0);
  c.inc();
  c.inc(2);
  c.inc(0.5);
  c.inc(0.25);
  EXPECT_EQ(c.value(), 3.75);
}

TEST(Counter, RejectsNegativeAndNaN) {
  Counter c;
  EXPECT_THROW(c.inc(-1), std::invalid_argument);
  EXPECT_THROW(c.inc(nan), std::invalid_argument);
  EXPECT_EQ(c.value(), 0.0);
  c.inc(0);
  EXPECT_EQ(c.value(), 0.0);
}

TEST(Gauge, SetsAndAdds) {
  Gauge g;
  EXPECT_EQ(g.value(), 0.0);
  g.set(5);
  g.add(-7.5);
  EXPECT_EQ(g.value(), -2.5);
  g.set(inf);
  EXPECT_EQ(g.value(), inf);
}

TEST(Histogram, CountsIntoInclusiveUpperBounds) {
  const std::array<double, 3> bounds{0.5, 1, 2};
  Histogram h(bounds);
  for (const double v : {0.1, 0.5, 0.75, 1.0, 3.0, 100.0}) h.observe(v);
  EXPECT_EQ(h.count(), 6U);
  EXPECT_EQ(h.sum(), 105.35);
  ASSERT_EQ(h.upper_bounds().size(), 3U);
  EXPECT_EQ(h.bucket_count(0), 2U);  // 0.1, 0.5 (a bound is inclusive)
  EXPECT_EQ(h.bucket_count(1), 2U);  // 0.75, 1
  EXPECT_EQ(h.bucket_count(2), 0U);
  EXPECT_EQ(h.bucket_count(3), 2U);  // +Inf: 3, 100
  EXPECT_EQ(h.bucket_count(4), 0U);  // out of range
}

TEST(Histogram, NaNGoesToInfBucketOnly) {
  const std::array<double, 1> bounds{1};
  Histogram h(bounds);
  h.observe(nan);
  EXPECT_EQ(h.bucket_count(0), 0U);
  EXPECT_EQ(h.bucket_count(1), 1U);
  EXPECT_TRUE(std::isnan(h.sum()));
}

TEST(Histogram, ValidatesBounds) {
  EXPECT_THROW(Histogram(std::array{1.0, 1.0}), std::invalid_argument);
  EXPECT_THROW(Histogram(std::array{2.0, 1.0}), std::invalid_argument);
  EXPECT_THROW(Histogram(std::array{1.0, nan}), std::invalid_argument);
  EXPECT_THROW(Histogram(std::array{inf, 1.0}), std::invalid_argument);
  EXPECT_EQ(Histogram(std::array{1.0, inf}).upper_bounds().size(), 1U);  // +Inf is implied anyway
  Histogram only_inf(std::span<const double>{});
  only_inf.observe(5);
  EXPECT_EQ(only_inf.bucket_count(0), 1U);
}

TEST(DefaultLatencyBuckets, SpanMillisecondToTenSeconds) {
  const auto b = default_latency_buckets();
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b.front(), 0.001);
  EXPECT_EQ(b.back(), 10.0);
  EXPECT_TRUE(std::ranges::is_sorted(b));
  EXPECT_NO_THROW(Histogram{b});
}

TEST(MetricsRegistry, SameNameAndLabelsIsTheSameObject) {
  MetricsRegistry r;
  Counter& a = r.counter("x_total", "X.", {{"route", "/a"}, {"status", "200"}});
  Counter& b = r.counter("x_total", "X.", {{"route", "/a"}, {"status", "200"}});
  Counter& reordered = r.counter("x_total", "X.", {{"status", "200"}, {"route", "/a"}});
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(&a, &reordered);
  EXPECT_EQ(&r.gauge("g", "G."), &r.gauge("g", "G."));
  EXPECT_EQ(&r.histogram("h", "H.", default_latency_buckets()), &r.histogram("h", "H.", default_latency_buckets()));
}

TEST(MetricsRegistry, DifferentLabelsAreSeriesOfOneFamily) {
  MetricsRegistry r;
  Counter& ok = r.counter("x_total", "X.", {{"status", "200"}});
  Counter& err = r.counter("x_total", "X.", {{"status", "500"}});
  Counter& none = r.counter("x_total", "X.");
  EXPECT_NE(&ok, &err);
  EXPECT_NE(&ok, &none);
  ok.inc(2);
  err.inc();
  EXPECT_EQ(r.render(),
            "# HELP x_total X.\n"
            "# TYPE x_total counter\n"
            "x_total 0\n"
            "x_total{status=\"200\"} 2\n"
            "x_total{status=\"500\"} 1\n");
}

TEST(MetricsRegistry, ManyLabelsStillMatch) {
  MetricsRegistry r;
  MetricLabels labels;
  for (int i = 11; i >= 0; --i) labels.emplace_back("l" + std::to_string(i), std::to_string(i));  // unsorted, > 8
  Counter& a = r.counter("many_total", "Many.", labels);
  std::ranges::reverse(labels);
  EXPECT_EQ(&a, &r.counter("many_total", "Many.", labels));
}

TEST(MetricsRegistry, TypeClashThrows) {
  MetricsRegistry r;
  r.counter("x_total", "X.");
  EXPECT_THROW(r.gauge("x_total", "X."), std::invalid_argument);
  EXPECT_THROW(r.gauge("x_total", "X.", {{"other", "labels"}}), std::invalid_argument);
  EXPECT_THROW(r.histogram("x_total", "X.", default_latency_buckets()), std::invalid_argument);
  r.gauge("g", "G.");
  EXPECT_THROW(r.counter("g", "G."), std::invalid_argument);
  r.gauge_callback("cb", "CB.", {}, [] { return 1.0; });
  EXPECT_THROW(r.gauge("cb", "CB."), std::invalid_argument);  // same series, other kind
  EXPECT_THROW(r.counter("cb", "CB."), std::invalid_argument);
  EXPECT_NO_THROW(r.gauge("cb", "CB.", {{"a", "b"}}));  // a plain gauge beside it in the family
}

TEST(MetricsRegistry, RejectsBadNamesAndLabels) {
  MetricsRegistry r;
  for (const char* bad : {"", "1x", "a-b", "a b", "é"})
    EXPECT_THROW(r.counter(bad, "Bad."), std::invalid_argument) << bad;
  EXPECT_NO_THROW(r.counter("ns:sub_name_1", "Good."));
  EXPECT_NO_THROW(r.counter("_x", "Good."));
  for (const char* bad : {"", "1a", "a-b", "__reserved", "a:b"})
    EXPECT_THROW(r.counter("y_total", "Y.", {{bad, "v"}}), std::invalid_argument) << bad;
  EXPECT_THROW(r.counter("y_total", "Y.", {{"a", "1"}, {"a", "2"}}), std::invalid_argument);
  EXPECT_THROW(r.counter("y_total", "Y.", {{"a", "\xff"}}), std::invalid_argument);
  EXPECT_THROW(r.counter("y_total", "Y.", {{"a", "\xc0\xaf"}}), std::invalid_argument);  // overlong '/'
  EXPECT_THROW(r.counter("y_total", "\xed\xa0\x80"), std::invalid_argument);           // surrogate
  EXPECT_NO_THROW(r.counter("y_total", "Y.", {{"a", "ünïcødé ✓ 🙂"}}));
  EXPECT_THROW(r.histogram("h", "H.", default_latency_buckets(), {{"le", "1"}}), std::invalid_argument);
  EXPECT_NO_THROW(r.counter("le_ok_total", "Le.", {{"le", "1"}}));  // reserved for histograms only
}

TEST(MetricsRegistry, FamilyHelpAndBucketsMustAgree) {
  MetricsRegistry r;
  r.counter("x_total", "X.", {{"a", "1"}});
  EXPECT_THROW(r.counter("x_total", "Other help.", {{"a", "2"}}), std::invalid_argument);
  const std::array<double, 2> b1{1, 2};
  const std::array<double, 2> b2{1, 3};
  const std::array<double, 3> b1_inf{1, 2, inf};
  r.histogram("h", "H.", b1, {{"a", "1"}});
  EXPECT_THROW(r.histogram("h", "H.", b2, {{"a", "1"}}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "H.", b2, {{"a", "2"}}), std::invalid_argument);
  EXPECT_NO_THROW(r.histogram("h", "H.", b1_inf, {{"a", "2"}}));
}

TEST(MetricsRegistry, ExposedNamesMustNotCollide) {
  MetricsRegistry r;
  r.histogram("req_seconds", "R.", default_latency_buckets());
  EXPECT_THROW(r.counter("req_seconds_count", "C."), std::invalid_argument);
  EXPECT_THROW(r.gauge("req_seconds_bucket", "B."), std::invalid_argument);
  r.gauge("size_sum", "S.");
  EXPECT_THROW(r.histogram("size", "S.", default_latency_buckets()), std::invalid_argument);
}

TEST(MetricsRegistry, FailedRegistrationChangesNothing) {
  MetricsRegistry r;
  r.counter("x_total", "X.").inc();
  const std::string before = r.render();
  EXPECT_THROW(r.histogram("h", "H.", std::array{2.0, 1.0}), std::invalid_argument);
  EXPECT_THROW(r.counter("bad-name", "X."), std::invalid_argument);
  EXPECT_EQ(r.render(), before);
  EXPECT_NO_THROW(r.histogram("h", "H.", std::array{1.0, 2.0}));  // the name was not taken
}

TEST(MetricsRegistry, RendersExactText) {
  MetricsRegistry r;
  // Registered out of order: families come out sorted by name, series by labels.
  const std::array<double, 2> bounds{0.25, 1};
  Histogram& h = r.histogram("c_latency_seconds", "Latency.", bounds);
  for (const double v : {0.125, 0.25, 0.5, 3.0}) h.observe(v);
  r.counter("b_requests_total", "Requests.", {{"status", "200"}, {"route", "/x"}}).inc(3);
  r.counter("b_requests_total", "Requests.", {{"route", "/a\"b\\c\nd"}, {"status", "500"}}).inc();
  r.gauge("a_temperature", "Line one\nback\\slash \"quoted\"").set(-1.5);
  r.histogram("d_size_bytes", "Sizes.", std::array{1.0}, {{"kind", "x"}}).observe(2);
  r.gauge("e_special", "Specials.", {{"v", "nan"}}).set(nan);
  r.gauge("e_special", "Specials.", {{"v", "pinf"}}).set(inf);
  r.gauge("e_special", "Specials.", {{"v", "ninf"}}).set(-inf);
  r.gauge("e_special", "Specials.", {{"v", "big"}}).set(1e21);
  r.gauge("e_special", "Specials.", {{"v", "small"}}).set(0.001);
  r.counter("f_no_help_total", "").inc(12345678);

  EXPECT_EQ(r.render(),
            "# HELP a_temperature Line one\\nback\\\\slash \"quoted\"\n"
            "# TYPE a_temperature gauge\n"
            "a_temperature -1.5\n"
            "# HELP b_requests_total Requests.\n"
            "# TYPE b_requests_total counter\n"
            "b_requests_total{route=\"/a\\\"b\\\\c\\nd\",status=\"500\"} 1\n"
            "b_requests_total{route=\"/x\",status=\"200\"} 3\n"
            "# HELP c_latency_seconds Latency.\n"
            "# TYPE c_latency_seconds histogram\n"
            "c_latency_seconds_bucket{le=\"0.25\"} 2\n"
            "c_latency_seconds_bucket{le=\"1\"} 3\n"
            "c_latency_seconds_bucket{le=\"+Inf\"} 4\n"
            "c_latency_seconds_sum 3.875\n"
            "c_latency_seconds_count 4\n"
            "# HELP d_size_bytes Sizes.\n"
            "# TYPE d_size_bytes histogram\n"
            "d_size_bytes_bucket{kind=\"x\",le=\"1\"} 0\n"
            "d_size_bytes_bucket{kind=\"x\",le=\"+Inf\"} 1\n"
            "d_size_bytes_sum{kind=\"x\"} 2\n"
            "d_size_bytes_count{kind=\"x\"} 1\n"
            "# HELP e_special Specials.\n"
            "# TYPE e_special gauge\n"
            "e_special{v=\"big\"} 1e+21\n"
            "e_special{v=\"nan\"} NaN\n"
            "e_special{v=\"ninf\"} -Inf\n"
            "e_special{v=\"pinf\"} +Inf\n"
            "e_special{v=\"small\"} 0.001\n"
            "# TYPE f_no_help_total counter\n"
            "f_no_help_total 12345678\n");
}

TEST(MetricsRegistry, CallbackGaugesAreReadAtRender) {
  MetricsRegistry r;
  double depth = 3;
  r.gauge_callback("queue_depth", "Queued jobs.", {{"queue", "outbox"}}, [&] { return depth; });
  EXPECT_EQ(r.render(),
            "# HELP queue_depth Queued jobs.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth{queue=\"outbox\"} 3\n");
  depth = 7;
  EXPECT_NE(r.render().find("queue_depth{queue=\"outbox\"} 7\n"), std::string::npos);
  EXPECT_THROW(r.gauge_callback("queue_depth", "Queued jobs.", {{"queue", "outbox"}}, [] { return 0.0; }),
               std::invalid_argument);
  EXPECT_THROW(r.gauge_callback("empty", "E.", {}, nullptr), std::invalid_argument);
}

TEST(MetricsRegistry, CallbackCountersAreTypedCounter) {
  MetricsRegistry r;
  double seconds = 1.5;
  r.counter_callback("cpu_seconds_total", "CPU.", {}, [&] { return seconds; });
  EXPECT_EQ(r.render(),
            "# HELP cpu_seconds_total CPU.\n"
            "# TYPE cpu_seconds_total counter\n"
            "cpu_seconds_total 1.5\n");
  seconds = 2.25;
  EXPECT_NE(r.render().find("cpu_seconds_total 2.25\n"), std::string::npos);
  // One owner per series; a gauge family's name is not a counter's.
  EXPECT_THROW(r.counter_callback("cpu_seconds_total", "CPU.", {}, [] { return 0.0; }), std::invalid_argument);
  EXPECT_THROW(r.counter("cpu_seconds_total", "CPU."), std::invalid_argument);
  r.gauge_callback("depth", "D.", {}, [] { return 1.0; });
  EXPECT_THROW(r.counter_callback("depth", "D.", {{"x", "y"}}, [] { return 0.0; }), std::invalid_argument);
  EXPECT_THROW(r.counter_callback("empty_total", "E.", {}, nullptr), std::invalid_argument);
}

TEST(MetricsRegistry, ThrowingCallbackReadsNaNAndSparesTheRest) {
  MetricsRegistry r;
  r.gauge_callback("broken", "Broken.", {}, []() -> double { throw std::runtime_error("boom"); });
  r.gauge("fine", "Fine.").set(1);
  EXPECT_EQ(r.render(),
            "# HELP broken Broken.\n"
            "# TYPE broken gauge\n"
            "broken NaN\n"
            "# HELP fine Fine.\n"
            "# TYPE fine gauge\n"
            "fine 1\n");
}

TEST(MetricsRegistry, CallbackMayUseTheRegistry) {
  MetricsRegistry r;
  // Runs outside the registry's lock: registering from here must not deadlock.
  r.gauge_callback("scrapes", "Scrapes.", {}, [&r] {
    Counter& c = r.counter("scrapes_seen_total", "Seen.");
    c.inc();
    return c.value();
  });
  (void)r.render();
  EXPECT_NE(r.render().find("scrapes 2\n"), std::string::npos);
}

TEST(MetricsRegistry, ConcurrentIncrementsAreExact) {
  MetricsRegistry r;
  Counter& held = r.counter("held_total", "Held.");
  Counter& halves = r.counter("halves_total", "Halves.");
  Histogram& h = r.histogram("obs_seconds", "Obs.", default_latency_buckets());
  constexpr int threads = 4;
  constexpr int per_thread = 100'000;
  std::atomic<bool> done{false};
  // A scraper and a registrar run alongside the writers.
  std::thread scraper([&] {
    while (!done.load()) (void)r.render();
  });
  std::thread registrar([&] {
    for (int i = 0; i < 200; ++i) r.gauge("late", "Late.", {{"i", std::to_string(i)}}).set(i);
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < threads; ++t) {
    writers.emplace_back([&, t] {
      const std::string route = "/r" + std::to_string(t % 2);
      for (int i = 0; i < per_thread; ++i) {
        held.inc();
        halves.inc(0.5);
        r.counter("looked_up_total", "Looked up.", {{"route", route}, {"status", "200"}}).inc();
        h.observe(0.003);
      }
    });
  }
  for (auto& w : writers) w.join();
  registrar.join();
  done = true;
  scraper.join();

  EXPECT_EQ(held.value(), threads * per_thread);
  EXPECT_EQ(halves.value(), threads * per_thread / 2);
  EXPECT_EQ(r.counter("looked_up_total", "Looked up.", {{"route", "/r0"}, {"status", "200"}}).value(),
            2 * per_thread);
  EXPECT_EQ(r.counter("looked_up_total", "Looked up.", {{"route", "/r1"}, {"status", "200"}}).value(),
            2 * per_thread);
  EXPECT_EQ(h.count(), std::uint64_t{threads} * per_thread);
  EXPECT_NE(r.render().find("obs_seconds_count 400000\n"), std::string::npos);
}

// Prometheus's own parser and linter on a page with every kind of series.
TEST(MetricsRegistry, PromtoolAcceptsTheOutput) {
#ifndef SENTINEL_PROMTOOL
  GTEST_SKIP() << "promtool not found at configure time";
#else
  MetricsRegistry r;
  r.counter("sentinel_http_requests_total", "HTTP requests by route and status.",
            {{"route", "/api/v1/servers/{id}"}, {"status", "200"}})
      .inc(5);
  r.counter("sentinel_http_requests_total", "HTTP requests by route and status.",
            {{"route", "/weird \"quoted\" \\ path\nnewline ✓"}, {"status", "500"}})
      .inc();
  r.gauge("sentinel_build_info", "Build information.", {{"version", "0.1.0"}}).set(1);
  r.gauge("sentinel_temperature_celsius", "Special values.", {{"v", "nan"}}).set(nan);
  r.gauge("sentinel_temperature_celsius", "Special values.", {{"v", "inf"}}).set(-inf);
  r.gauge_callback("sentinel_queue_depth", "Jobs waiting, with a \\ and a\nnewline in help.", {}, [] { return 4.0; });
  Histogram& h = r.histogram("sentinel_http_request_duration_seconds", "Request latency.",
                             default_latency_buckets(), {{"route", "/health"}});
  for (const double v : {0.0004, 0.002, 0.3, 12.0}) h.observe(v);
  r.histogram("sentinel_http_request_duration_seconds", "Request latency.", default_latency_buckets(),
              {{"route", "/api/v1/auth/login"}});

  const std::string dir = ::testing::TempDir();
  const std::string page = dir + "/sentinel_metrics.prom";
  const std::string report = dir + "/sentinel_promtool.out";
  std::ofstream(page) << r.render();
  const std::string cmd =
      std::string("'") + SENTINEL_PROMTOOL + "' check metrics < '" + page + "' > '" + report + "' 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream in(report);
  const std::string output{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::remove(page.c_str());
  std::remove(report.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << cmd;
  EXPECT_EQ(WEXITSTATUS(status), 0) << output << "\n--- page ---\n" << r.render();
  EXPECT_EQ(output, "");
#endif
}

}  // namespace
}  // namespace sentinel::observability
