#include "prometheus/query_catalogue.hpp"

#include <array>
#include <cctype>
#include <string>

#include "prometheus/promql_template.hpp"

namespace sentinel::prometheus {

namespace {

// Conventions shared by the expressions below:
//  * Node series are selected by instance AND job: the same host:port may be
//    scraped by two jobs, and a summary must describe one of them.
//  * Every summary expression ends in an aggregation (avg, max, sum), so it
//    yields at most one series even when a target is scraped twice or a
//    label (device, mountpoint, cpu) splits it; an empty answer means "no
//    data", shown as null.
//  * Rates use [1m]: four samples at the usual 15 s scrape interval, so the
//    numbers follow what the host does now rather than a 5-minute average.
//  * Network devices: loopback and the virtual interfaces of bridges,
//    containers, VMs, tunnels and CNI plugins carry the same bytes a second
//    time (or never leave the host), so only physical-ish interfaces count.
constexpr std::array<SummaryMetric, 9> summary{{
    {"cpu_usage_percent",
     R"(100 * (1 - avg(rate(node_cpu_seconds_total{instance="$instance",job="$job",mode="idle"}[1m]))))"},
    // MemAvailable (kernel ≥ 3.14) counts reclaimable caches as free, unlike
    // MemFree; max() only drops labels so the division matches one-to-one.
    {"memory_usage_percent",
     R"(100 * (1 - max(node_memory_MemAvailable_bytes{instance="$instance",job="$job"}) / max(node_memory_MemTotal_bytes{instance="$instance",job="$job"})))"},
    // avail (not free) is what an unprivileged process can still write; the
    // "rootfs" entry some kernels list beside the real root is skipped.
    {"disk_usage_percent",
     R"(100 * (1 - max(node_filesystem_avail_bytes{instance="$instance",job="$job",mountpoint="/",fstype!="rootfs"}) / max(node_filesystem_size_bytes{instance="$instance",job="$job",mountpoint="/",fstype!="rootfs"})))"},
    {"load1", R"(max(node_load1{instance="$instance",job="$job"}))"},
    {"load5", R"(max(node_load5{instance="$instance",job="$job"}))"},
    {"load15", R"(max(node_load15{instance="$instance",job="$job"}))"},
    {"network_receive_bytes_per_second",
     R"(sum(rate(node_network_receive_bytes_total{instance="$instance",job="$job",device!~"lo|veth.*|docker.*|br-.*|virbr.*|cni.*|flannel.*|cali.*|vxlan.*|tun.*|tap.*|kube-ipvs.*"}[1m])))"},
    {"network_transmit_bytes_per_second",
     R"(sum(rate(node_network_transmit_bytes_total{instance="$instance",job="$job",device!~"lo|veth.*|docker.*|br-.*|virbr.*|cni.*|flannel.*|cali.*|vxlan.*|tun.*|tap.*|kube-ipvs.*"}[1m])))"},
    // Computed from the boot time rather than a counter, so it is right
    // from the first scrape.
    {"uptime_seconds", R"(max(time() - node_boot_time_seconds{instance="$instance",job="$job"}))"},
}};

constexpr std::string_view up = R"(max(up{instance="$instance",job="$job"}))";

// cAdvisor is filtered by instance only: its job name is not part of a
// server's record. `name!=""` drops cgroup hierarchy entries (/, /system.slice,
// ...), which have no container name. Grouping by (name, image) keeps both
// labels and merges per-CPU or per-interface series of one container.
constexpr ContainerQueries containers{
    R"(sum by (name, image) (rate(container_cpu_usage_seconds_total{instance="$instance",name!=""}[1m])) * 100)",
    R"(sum by (name, image) (container_memory_working_set_bytes{instance="$instance",name!=""}))",
    // One limit per container; max() rather than sum() so a container that
    // cAdvisor lists twice does not show twice its limit.
    R"(max by (name, image) (container_spec_memory_limit_bytes{instance="$instance",name!=""}))",
    R"(sum by (name, image) (rate(container_network_receive_bytes_total{instance="$instance",name!=""}[1m])))",
    R"(sum by (name, image) (rate(container_network_transmit_bytes_total{instance="$instance",name!=""}[1m])))",
};

}  // namespace

std::span<const SummaryMetric> summary_metrics() { return summary; }

std::string_view up_query() { return up; }

std::string_view summary_query() {
  static const std::string combined = [] {
    // label_replace(v, dst, replacement, "", ""): the empty source label
    // always matches the empty regex, so dst is set on every series.
    auto tagged = [](std::string_view key, std::string_view promql) {
      return "label_replace(" + std::string(promql) + ", \"" + std::string(summary_metric_label) + "\", \"" +
             std::string(key) + "\", \"\", \"\")";
    };
    std::string q = tagged("up", up);
    for (const auto& m : summary) q += " or " + tagged(m.key, m.promql);
    return q;
  }();
  return combined;
}

namespace {

// `expr` (a single-server template of this file) for every target of the
// jobs matched by `job_matcher`.
std::string fleet_form(std::string_view expr, std::string_view job_matcher) {
  constexpr std::string_view selector = R"(instance="$instance",job="$job")";
  std::string out;
  out.reserve(expr.size() + 64);
  for (std::size_t i = 0; i < expr.size();) {
    if (expr.substr(i).starts_with(selector)) {
      out += job_matcher;
      i += selector.size();
      continue;
    }
    bool aggregation = false;
    for (std::string_view agg : {"avg(", "max(", "sum("}) {
      const bool word_start =
          i == 0 || !(std::isalnum(static_cast<unsigned char>(expr[i - 1])) || expr[i - 1] == '_');
      if (word_start && expr.substr(i).starts_with(agg)) {
        out += agg.substr(0, 3);
        out += " by (instance, job) (";
        i += agg.size();
        aggregation = true;
        break;
      }
    }
    if (!aggregation) out += expr[i++];
  }
  return out;
}

}  // namespace

std::string fleet_summary_query(std::span<const std::string> jobs) {
  std::string alternation;
  for (const auto& job : jobs) {
    if (!alternation.empty()) alternation += '|';
    alternation += quote_regex(job);
  }
  const std::string matcher = "job=~\"" + escape_string_literal(alternation) + "\"";
  auto tagged = [&](std::string_view key, std::string_view promql) {
    return "label_replace(" + fleet_form(promql, matcher) + ", \"" + std::string(summary_metric_label) + "\", \"" +
           std::string(key) + "\", \"\", \"\")";
  };
  std::string q = tagged("up", up);
  for (const auto& m : summary) q += " or " + tagged(m.key, m.promql);
  return q;
}

std::optional<SummaryMetric> find_summary_metric(std::string_view key) {
  for (const auto& m : summary)
    if (m.key == key) return m;
  return std::nullopt;
}

const ContainerQueries& container_queries() { return containers; }

}  // namespace sentinel::prometheus
