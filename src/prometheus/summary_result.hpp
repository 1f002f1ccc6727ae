#pragma once
// Reads the answer of query_catalogue's summary_query() (every summary
// metric and `up` in one vector, each series named by its
// summary_metric_label) back into the summary's values.
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "prometheus/result.hpp"

namespace sentinel::prometheus {

struct SummaryValues {
  bool up = false;                            // `up` is exactly 1
  std::vector<std::optional<double>> values;  // in summary_metrics() order; nullopt = no data, NaN or ±Inf
};

// A metric without a series is nullopt. An answer that is not a vector, or
// a series whose label is missing or names no summary metric, is
// bad_response: a datasource that rewrote the labels would otherwise show
// every metric as "no data". A metric present twice (not possible from
// the aggregations of the catalogue) keeps its first series.
QueryOutcome<SummaryValues> read_summary_result(const QueryResult& result);

// The answer of query_catalogue's fleet_summary_query(): every target's
// values, keyed by fleet_target_key(job, instance). A target with series
// but no `up` series is down (up false). Same checks as read_summary_result;
// a series without an instance or job label is bad_response too.
using FleetValues = std::unordered_map<std::string, SummaryValues>;
QueryOutcome<FleetValues> read_fleet_result(const QueryResult& result);

// A key no other (job, instance) pair can spell (length-prefixed).
std::string fleet_target_key(std::string_view job, std::string_view instance);

}  // namespace sentinel::prometheus
