#pragma once
// A rule's condition (`value <comparison> threshold`), in one place: the
// /test endpoint and the alert engine must agree on it.
#include <cmath>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::domain {

// False for NaN (no comparison with NaN holds, as in PromQL) and for an
// unknown operator (validation rejects those before they are stored).
inline bool condition_holds(double value, std::string_view comparison, double threshold) {
  if (std::isnan(value)) return false;
  if (comparison == ">") return value > threshold;
  if (comparison == ">=") return value >= threshold;
  if (comparison == "<") return value < threshold;
  if (comparison == "<=") return value <= threshold;
  if (comparison == "==") return value == threshold;
  if (comparison == "!=") return value != threshold;
  return false;
}

// A rule's condition for a present sample: with no comparison (an
// every-series rule, product.md §10) any sample holds, NaN included, as a
// Prometheus alert fires for every series its expression returns.
inline bool condition_holds(double value, const std::optional<std::string>& comparison,
                            const std::optional<double>& threshold) {
  if (!comparison || !threshold) return true;
  return condition_holds(value, *comparison, *threshold);
}

}  // namespace sentinel::domain
