#pragma once
// A rule's condition (`value <comparison> threshold`), in one place: the
// /test endpoint and the alert engine must agree on it.
#include <cmath>
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

}  // namespace sentinel::domain
