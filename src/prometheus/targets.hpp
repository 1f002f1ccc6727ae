#pragma once
// Prometheus's active scrape targets (GET /api/v1/targets?state=active) as
// plain values: what `POST /api/v1/servers/discover` and DISCOVERY_JOBS read
// (product.md §10). Only the documented fields are relied upon, so any
// Prometheus-compatible server that implements the endpoint works.
#include <string>
#include <string_view>
#include <vector>

#include "prometheus/result.hpp"

namespace sentinel::prometheus {

struct ActiveTarget {
  Labels labels;            // the target's labels after relabelling (job, instance, …), sorted by name
  std::string scrape_pool;  // "scrapePool": the scrape config's job_name
  std::string health;       // "up", "down" or "unknown"

  std::string_view job() const { return label_value(labels, "job"); }
  std::string_view instance() const { return label_value(labels, "instance"); }
};

// Parses one HTTP answer of /api/v1/targets. A success envelope must hold
// `data.activeTargets` as an array; each element must be an object whose
// `labels` is an object of strings (an element that is not is skipped, not
// fatal: one odd target must not hide the others). Error envelopes and
// non-Prometheus bodies are classified as parse_query_response does
// (unavailable, unauthorized, bad_response …). Never throws.
QueryOutcome<std::vector<ActiveTarget>> parse_targets_response(int http_status, std::string_view body);

}  // namespace sentinel::prometheus
