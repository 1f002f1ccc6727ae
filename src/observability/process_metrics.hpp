#pragma once
// The standard process_* metrics every Prometheus client library exports
// (same names, types and units as client_golang's process collector), read
// from /proc/self when scraped. Linux only, like /proc.
//
// The parsers are pure, so they are tested on captured /proc text.
#include <cstdint>
#include <optional>
#include <string_view>

namespace sentinel::observability {

class MetricsRegistry;

// The fields of /proc/<pid>/stat that the metrics use (proc(5)).
struct ProcessStat {
  std::uint64_t user_ticks = 0;    // utime, field 14
  std::uint64_t system_ticks = 0;  // stime, field 15
  std::uint64_t start_ticks = 0;   // starttime, field 22: clock ticks after boot
  std::uint64_t virtual_bytes = 0; // vsize, field 23
  std::int64_t resident_pages = 0; // rss, field 24
};

// Parses one /proc/<pid>/stat line. The command name (field 2) may hold
// spaces and parentheses, so fields are counted from its LAST ')'.
// nullopt when the text is not such a line.
std::optional<ProcessStat> parse_process_stat(std::string_view text);

// "btime" of /proc/stat: the boot time in seconds since the epoch.
std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat);

// The soft "Max open files" limit of /proc/<pid>/limits; +Inf for "unlimited".
std::optional<double> parse_max_open_files(std::string_view limits);

// Registers, as callbacks read at scrape time:
//   process_cpu_seconds_total (counter), process_resident_memory_bytes,
//   process_virtual_memory_bytes, process_start_time_seconds,
//   process_open_fds, process_max_fds (gauges).
// A value that cannot be read scrapes as NaN. Throws std::invalid_argument
// if these names are already registered.
void register_process_metrics(MetricsRegistry& registry);

}  // namespace sentinel::observability
