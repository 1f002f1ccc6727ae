#pragma once
// A summary as stored in the shared (cross-process) cache:
// {"evaluated_at": s, "up": b, "metrics": {"<key>": number|null, ...}}.
// Metrics are keyed by name, so a process whose catalogue differs (a
// rolling upgrade) reads a miss rather than shifted values.
#include <optional>
#include <string>
#include <string_view>

#include "prometheus/server_metrics.hpp"

namespace sentinel::prometheus {

std::string encode_snapshot(const Summary& s);

// nullopt when `text` is not a snapshot of every current summary metric.
// server_id, instance and job_name are left empty: the caller knows them.
std::optional<Summary> decode_snapshot(std::string_view text);

}  // namespace sentinel::prometheus
