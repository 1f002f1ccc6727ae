#include "observability/process_metrics.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <limits>
#include <string>
#include <vector>

#include "observability/metrics_registry.hpp"

namespace sentinel::observability {
namespace {

// Captured from a real process, with a command name made to trip a parser
// that splits on spaces or stops at the first ')'.
constexpr std::string_view stat_line =
    "8806 (my (odd) name) S 8801 8801 31532 0 -1 4194304 101 0 0 0 1234 567 0 0 20 0 1 0 1244090 3133440 393 "
    "18446744073709551615 94104284155904 94104284175785 140734652260400 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";

TEST(ParseProcessStat, ReadsFieldsAfterTheLastParenthesis) {
  const auto s = parse_process_stat(stat_line);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->user_ticks, 1234u);
  EXPECT_EQ(s->system_ticks, 567u);
  EXPECT_EQ(s->start_ticks, 1244090u);
  EXPECT_EQ(s->virtual_bytes, 3133440u);
  EXPECT_EQ(s->resident_pages, 393);
}

TEST(ParseProcessStat, RejectsWhatIsNotAStatLine) {
  EXPECT_FALSE(parse_process_stat(""));
  EXPECT_FALSE(parse_process_stat("8806 cat S 1 2 3"));                     // no parentheses
  EXPECT_FALSE(parse_process_stat("8806 (cat) S 8801 8801 31532 0 -1 4"));  // cut short
  std::string bad(stat_line);
  bad.replace(bad.find("1234"), 4, "12x4");
  EXPECT_FALSE(parse_process_stat(bad));
}

TEST(ParseBootTime, FindsTheBtimeLine) {
  EXPECT_EQ(parse_boot_time("cpu  1 2 3\ncpu0 1 2 3\nintr 5 0\nctxt 99\nbtime 1700000000\nprocesses 12\n"),
            1700000000u);
  EXPECT_FALSE(parse_boot_time("cpu  1 2 3\nctxt 99\n"));
  EXPECT_FALSE(parse_boot_time("btime soon\n"));
}

TEST(ParseMaxOpenFiles, ReadsTheSoftLimit) {
  constexpr std::string_view limits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max cpu time              unlimited            unlimited            seconds   \n"
      "Max open files            1024                 524288               files     \n"
      "Max locked memory         8388608              8388608              bytes     \n";
  EXPECT_EQ(parse_max_open_files(limits), 1024.0);
  EXPECT_EQ(parse_max_open_files("Max open files            unlimited            unlimited            files\n"),
            std::numeric_limits<double>::infinity());
  EXPECT_FALSE(parse_max_open_files("Max cpu time              unlimited            unlimited            seconds\n"));
  EXPECT_FALSE(parse_max_open_files(""));
}

double sample(const std::string& page, const std::string& name) {
  const auto at = page.find("\n" + name + " ");
  if (at == std::string::npos) return std::numeric_limits<double>::quiet_NaN();
  return std::stod(page.substr(at + name.size() + 2));
}

// This test process's own /proc: every metric is there, typed as client
// libraries type it, with plausible values.
TEST(ProcessMetrics, ReadThisProcess) {
  MetricsRegistry r;
  register_process_metrics(r);
  std::vector<char> ballast(32 << 20, 1);  // touched: resident
  const std::string page = r.render();
  EXPECT_NE(page.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos) << page;
  for (const char* gauge : {"process_resident_memory_bytes", "process_virtual_memory_bytes",
                            "process_start_time_seconds", "process_open_fds", "process_max_fds"})
    EXPECT_NE(page.find(std::string("# TYPE ") + gauge + " gauge\n"), std::string::npos) << gauge;

  EXPECT_GE(sample(page, "process_resident_memory_bytes"), 32.0 * (1 << 20)) << page;
  EXPECT_GE(sample(page, "process_virtual_memory_bytes"), sample(page, "process_resident_memory_bytes"));
  EXPECT_GE(sample(page, "process_cpu_seconds_total"), 0.0);
  EXPECT_GE(sample(page, "process_open_fds"), 3.0);  // stdin, stdout, stderr
  EXPECT_GE(sample(page, "process_max_fds"), sample(page, "process_open_fds"));
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double started = sample(page, "process_start_time_seconds");
  EXPECT_LE(started, now + 1);
  EXPECT_GT(started, now - 3600) << "this test process started within the hour";
  EXPECT_EQ(ballast[12345], 1);
}

TEST(ProcessMetrics, CpuSecondsGrowWithWork) {
  MetricsRegistry r;
  register_process_metrics(r);
  const double before = sample(r.render(), "process_cpu_seconds_total");
  // Spin for 0.3 s of this process's CPU time (not wall time: the machine may be busy).
  const std::clock_t until = std::clock() + CLOCKS_PER_SEC * 3 / 10;
  volatile std::uint64_t spin = 0;
  while (std::clock() < until) spin = spin + 1;
  const double after = sample(r.render(), "process_cpu_seconds_total");
  EXPECT_GE(after - before, 0.25) << before << " -> " << after;  // ticks are 10 ms
  EXPECT_LE(after - before, 5.0);
}

}  // namespace
}  // namespace sentinel::observability
