#pragma once
// A summary as stored in the shared (cross-process) cache:
// {"evaluated_at": s, "up": b, "metrics": {"<key>": number|null, ...}}.
// Metrics are keyed by name, so a process whose catalogue differs (a
// rolling upgrade) reads a miss rather than shifted values.
#include <optional>
#include <string>
#include <string_view>

#include "prometheus/server_metrics.hpp"
#include "prometheus/summary_result.hpp"

namespace sentinel::prometheus {

std::string encode_snapshot(const Summary& s);

// nullopt when `text` is not a snapshot of every current summary metric.
// server_id, instance and job_name are left empty: the caller knows them.
std::optional<Summary> decode_snapshot(std::string_view text);

// One answer of the fleet summary query, as cached and shared:
// {"evaluated_at": s, "metrics": ["up", "<key>", ...],
//  "targets": {"<fleet_target_key>": [up, value|null, ...], ...}}.
struct FleetSnapshot {
  double evaluated_at = 0;  // Unix seconds (ms precision)
  FleetValues targets;
};

std::string encode_fleet_snapshot(const FleetSnapshot& s);

// nullopt unless `text` is a fleet snapshot of exactly the current summary
// metrics, in order.
std::optional<FleetSnapshot> decode_fleet_snapshot(std::string_view text);

}  // namespace sentinel::prometheus
