#pragma once
// Every PromQL expression Sentinel sends on its own (summary, range,
// containers) lives here and nowhere else, written against node_exporter
// and cAdvisor metric names. They use $instance / $job, rendered by
// promql_template.hpp with a server's labels.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sentinel::prometheus {

// One metric of the server summary (product.md §3 "Metrics").
struct SummaryMetric {
  std::string_view key;    // the JSON key, e.g. "cpu_usage_percent"
  std::string_view promql;  // template over $instance and $job; yields at most one series
};

// The summary metrics, in the order of the JSON document:
// cpu_usage_percent, memory_usage_percent, disk_usage_percent (of "/"),
// load1, load5, load15, network_receive_bytes_per_second,
// network_transmit_bytes_per_second (both excluding loopback and virtual
// devices: lo, veth*, docker*, br-*, virbr*, cni*, flannel*, cali*, vxlan*,
// tun*, tap*, kube-ipvs*), uptime_seconds.
std::span<const SummaryMetric> summary_metrics();

// `up{instance="$instance",job="$job"}`: 1 when the last scrape succeeded.
std::string_view up_query();

// The label that names each series of summary_query(): "up" or a SummaryMetric key.
inline constexpr std::string_view summary_metric_label = "sentinel_metric";

// The whole summary as ONE instant query (a template over $instance and
// $job): up_query() and every summary metric, each tagged by label_replace
// with summary_metric_label, joined with `or`. The tag keeps `or` from
// dropping a branch (every branch is an aggregation without labels, so
// untagged they would all match the first one). A metric with no data has
// no series in the answer. One query instead of ten: Prometheus parses,
// plans and answers once, and a summary holds one concurrency slot.
std::string_view summary_query();

// The same summary for a whole fleet as ONE instant query: every metric of
// summary_query(), aggregated `by (instance, job)` instead of filtered to
// one target, over the targets of `jobs` (the distinct job names of the
// servers asked for, matched exactly: regex-quoted, then escaped for the
// string literal). Each series carries instance, job and
// summary_metric_label; a target's values are exactly what summary_query()
// answers for it. Derived from the single-server expressions (one source of
// truth): the selector `instance="$instance",job="$job"` becomes
// `job=~"<jobs>"` and each aggregation `avg(`, `max(`, `sum(` becomes
// `avg by (instance, job) (`. `jobs` must not be empty.
std::string fleet_summary_query(std::span<const std::string> jobs);

// The summary metric named `key`, or nullopt (used by the range endpoint,
// which accepts exactly the summary's keys).
std::optional<SummaryMetric> find_summary_metric(std::string_view key);

// Containers on one host, from the cAdvisor at the server's
// cadvisor_instance (rendered as $instance). Each query returns one series
// per container, labelled `name` and `image` (containers with an empty name
// — cgroup hierarchy entries — are excluded).
struct ContainerQueries {
  std::string_view cpu_usage_percent;                  // 100 × cores used over the last minute
  std::string_view memory_usage_bytes;                 // working set
  std::string_view memory_limit_bytes;                 // 0 from cAdvisor = no limit → null
  std::string_view network_receive_bytes_per_second;
  std::string_view network_transmit_bytes_per_second;
};
const ContainerQueries& container_queries();

}  // namespace sentinel::prometheus
