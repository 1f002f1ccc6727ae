#include "observability/process_metrics.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

#include "observability/metrics_registry.hpp"

namespace sentinel::observability {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

template <class T>
std::optional<T> to_number(std::string_view s) {
  T v{};
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// /proc files report size 0: read until EOF. Empty when unreadable.
// Plain read(2): a scrape reads several (iostreams cost more than the read).
std::string read_file(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text;
  char chunk[4096];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

// Three series of one scrape come from /proc/self/stat: it is read once per
// scrape (a reading younger than 10 ms is reused), not once per series.
std::optional<ProcessStat> read_own_stat() {
  static std::mutex mutex;
  static std::optional<ProcessStat> last;
  static std::chrono::steady_clock::time_point read_at;
  std::lock_guard lock(mutex);
  const auto now = std::chrono::steady_clock::now();
  if (!last || now - read_at > std::chrono::milliseconds(10)) {
    last = parse_process_stat(read_file("/proc/self/stat"));
    read_at = now;
  }
  return last;
}

double ticks_per_second() {
  static const long ticks = sysconf(_SC_CLK_TCK);
  return ticks > 0 ? static_cast<double>(ticks) : nan;
}

double open_fds() {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/self/fd", ec);
  if (ec) return nan;
  double n = 0;
  for (const auto end = std::filesystem::directory_iterator(); it != end; it.increment(ec)) {
    if (ec) return nan;
    ++n;
  }
  return n;
}

double start_time_seconds() {
  const auto stat = read_own_stat();
  const auto boot = parse_boot_time(read_file("/proc/stat"));
  if (!stat || !boot) return nan;
  return static_cast<double>(*boot) + static_cast<double>(stat->start_ticks) / ticks_per_second();
}

}  // namespace

std::optional<ProcessStat> parse_process_stat(std::string_view text) {
  const auto close = text.rfind(')');
  if (close == std::string_view::npos || text.find('(') > close) return std::nullopt;
  // fields[0] is field 3 (state).
  const auto fields = split_spaces(text.substr(close + 1));
  if (fields.size() < 22) return std::nullopt;
  const auto at = [&](std::size_t field) { return fields[field - 3]; };
  const auto user = to_number<std::uint64_t>(at(14));
  const auto system = to_number<std::uint64_t>(at(15));
  const auto start = to_number<std::uint64_t>(at(22));
  const auto vsize = to_number<std::uint64_t>(at(23));
  const auto rss = to_number<std::int64_t>(at(24));
  if (!user || !system || !start || !vsize || !rss) return std::nullopt;
  return ProcessStat{*user, *system, *start, *vsize, *rss};
}

std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat) {
  std::size_t pos = 0;
  while (pos < proc_stat.size()) {
    auto end = proc_stat.find('\n', pos);
    if (end == std::string_view::npos) end = proc_stat.size();
    const auto fields = split_spaces(proc_stat.substr(pos, end - pos));
    if (fields.size() == 2 && fields[0] == "btime") return to_number<std::uint64_t>(fields[1]);
    pos = end + 1;
  }
  return std::nullopt;
}

std::optional<double> parse_max_open_files(std::string_view limits) {
  constexpr std::string_view label = "Max open files";
  std::size_t pos = 0;
  while (pos < limits.size()) {
    auto end = limits.find('\n', pos);
    if (end == std::string_view::npos) end = limits.size();
    const auto line = limits.substr(pos, end - pos);
    if (line.starts_with(label)) {
      const auto fields = split_spaces(line.substr(label.size()));  // soft, hard, units
      if (fields.empty()) return std::nullopt;
      if (fields[0] == "unlimited") return std::numeric_limits<double>::infinity();
      const auto soft = to_number<std::uint64_t>(fields[0]);
      if (!soft) return std::nullopt;
      return static_cast<double>(*soft);
    }
    pos = end + 1;
  }
  return std::nullopt;
}

void register_process_metrics(MetricsRegistry& registry) {
  registry.counter_callback("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", {}, [] {
    const auto stat = read_own_stat();
    return stat ? static_cast<double>(stat->user_ticks + stat->system_ticks) / ticks_per_second() : nan;
  });
  registry.gauge_callback("process_resident_memory_bytes", "Resident memory size in bytes.", {}, [] {
    static const long page = sysconf(_SC_PAGESIZE);
    const auto stat = read_own_stat();
    return stat && page > 0 ? static_cast<double>(stat->resident_pages) * static_cast<double>(page) : nan;
  });
  registry.gauge_callback("process_virtual_memory_bytes", "Virtual memory size in bytes.", {}, [] {
    const auto stat = read_own_stat();
    return stat ? static_cast<double>(stat->virtual_bytes) : nan;
  });
  // Fixed for the process's life: read once.
  registry.gauge_callback("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", {},
                          [start = start_time_seconds()] { return start; });
  registry.gauge_callback("process_open_fds", "Number of open file descriptors.", {}, [] { return open_fds(); });
  registry.gauge_callback("process_max_fds", "Maximum number of open file descriptors.", {}, [] {
    return parse_max_open_files(read_file("/proc/self/limits")).value_or(nan);
  });
}

}  // namespace sentinel::observability
