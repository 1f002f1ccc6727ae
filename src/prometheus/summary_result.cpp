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

}  // namespace

QueryOutcome<SummaryValues> read_summary_result(const QueryResult& result) {
  if (result.type != ResultType::vector) return bad_response("the summary query did not answer a vector");
  const auto defs = summary_metrics();
  SummaryValues out;
  out.values.resize(defs.size());
  std::vector<bool> seen(defs.size() + 1, false);  // [0] = up
  for (const auto& sample : result.vector) {
    const std::string_view name = label_value(sample.labels, summary_metric_label);
    std::size_t slot = 0;
    if (name != up_key) {
      while (slot < defs.size() && defs[slot].key != name) ++slot;
      if (slot == defs.size())
        return bad_response("the summary query answered a series without a known " +
                            std::string(summary_metric_label) + " label ('" + std::string(name) + "')");
      ++slot;
    }
    if (seen[slot]) continue;
    seen[slot] = true;
    const double v = sample.point.value;
    if (slot == 0) out.up = v == 1.0;
    else if (std::isfinite(v)) out.values[slot - 1] = v;
  }
  return out;
}

}  // namespace sentinel::prometheus
