#include "prometheus/summary_result.hpp"

#include <cmath>
#include <string>

#include "prometheus/query_catalogue.hpp"

namespace sentinel::prometheus {

namespace {

constexpr std::string_view up_key = "up";

std::unexpected<QueryError> bad_response(std::string message) {
  return std::unexpected(QueryError{QueryErrorKind::bad_response, std::move(message)});
}

// The slot of a series named `name` by summary_metric_label: 0 for `up`,
// 1 + its index for a summary metric; nullopt for anything else.
std::optional<std::size_t> slot_of(std::string_view name) {
  if (name == up_key) return 0;
  const auto defs = summary_metrics();
  for (std::size_t i = 0; i < defs.size(); ++i)
    if (defs[i].key == name) return i + 1;
  return std::nullopt;
}

std::unexpected<QueryError> unknown_label(std::string_view name) {
  return bad_response("the summary query answered a series without a known " + std::string(summary_metric_label) +
                      " label ('" + std::string(name) + "')");
}

// Stores one sample in `out` unless its slot was filled already (`seen`).
void take(SummaryValues& out, std::vector<bool>& seen, std::size_t slot, double v) {
  if (seen[slot]) return;
  seen[slot] = true;
  if (slot == 0) out.up = v == 1.0;
  else if (std::isfinite(v)) out.values[slot - 1] = v;
}

}  // namespace

QueryOutcome<SummaryValues> read_summary_result(const QueryResult& result) {
  if (result.type != ResultType::vector) return bad_response("the summary query did not answer a vector");
  SummaryValues out;
  out.values.resize(summary_metrics().size());
  std::vector<bool> seen(out.values.size() + 1, false);  // [0] = up
  for (const auto& sample : result.vector) {
    const std::string_view name = label_value(sample.labels, summary_metric_label);
    const auto slot = slot_of(name);
    if (!slot) return unknown_label(name);
    take(out, seen, *slot, sample.point.value);
  }
  return out;
}

std::string fleet_target_key(std::string_view job, std::string_view instance) {
  std::string key = std::to_string(job.size());
  key += ':';
  key += job;
  key += instance;
  return key;
}

QueryOutcome<FleetValues> read_fleet_result(const QueryResult& result) {
  if (result.type != ResultType::vector) return bad_response("the fleet summary query did not answer a vector");
  const std::size_t n = summary_metrics().size();
  struct Target {
    SummaryValues values;
    std::vector<bool> seen;
  };
  std::unordered_map<std::string, Target> targets;
  for (const auto& sample : result.vector) {
    const std::string_view name = label_value(sample.labels, summary_metric_label);
    const auto slot = slot_of(name);
    if (!slot) return unknown_label(name);
    const std::string_view instance = label_value(sample.labels, "instance");
    const std::string_view job = label_value(sample.labels, "job");
    if (instance.empty() || job.empty())
      return bad_response("the fleet summary query answered a series without its instance or job label");
    auto [it, fresh] = targets.try_emplace(fleet_target_key(job, instance));
    if (fresh) {
      it->second.values.values.resize(n);
      it->second.seen.assign(n + 1, false);
    }
    take(it->second.values, it->second.seen, *slot, sample.point.value);
  }
  FleetValues out;
  out.reserve(targets.size());
  for (auto& [key, t] : targets) out.emplace(key, std::move(t.values));
  return out;
}

}  // namespace sentinel::prometheus
