#pragma once
// Reading alert_rules rows, shared by the rule repository (API) and the
// alert engine's store (internal to storage/).
#include <soci/soci.h>

#include <optional>

#include "domain/alert_rule.hpp"

namespace sentinel::storage {

// The columns read_rule() expects, in order.
extern const char* const rule_columns;

domain::AlertRule read_rule(const soci::row& r);
std::optional<domain::AlertRule> fetch_rule(soci::session& sql, long long id);

}  // namespace sentinel::storage
