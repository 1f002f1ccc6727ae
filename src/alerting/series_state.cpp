#include "alerting/series_state.hpp"

#include <algorithm>

namespace sentinel::alerting {

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::inactive: return "inactive";
    case Phase::pending: return "pending";
    case Phase::firing: return "firing";
  }
  return "inactive";  // unreachable: every enumerator is handled above
}

std::optional<Phase> phase_from_string(std::string_view text) {
  if (text == "inactive") return Phase::inactive;
  if (text == "pending") return Phase::pending;
  if (text == "firing") return Phase::firing;
  return std::nullopt;
}

Phase rule_phase(std::span<const Phase> series) {
  // The enumerators are declared in increasing order of urgency.
  Phase worst = Phase::inactive;
  for (Phase p : series) worst = std::max(worst, p);
  return worst;
}

}  // namespace sentinel::alerting
