#pragma once
// Reading alert_rules rows, shared by the rule repository (API) and the
// alert engine's store (internal to storage/).
#include <soci/soci.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/alert_rule.hpp"

namespace sentinel::storage {

// The columns read_rule() expects, in order, and how many there are (a
// query may select more after them).
extern const char* const rule_columns;
extern const std::size_t rule_column_count;

// alert_rules.channel_ids: a JSON array of ids, as text.
std::string channel_ids_text(const std::vector<std::int64_t>& ids);
std::vector<std::int64_t> parse_channel_ids(const std::string& text);

// alert_rules.labels / annotations: a JSON object of strings, as text.
std::string string_map_text(const std::map<std::string, std::string>& m);
std::map<std::string, std::string> parse_string_map(const std::string& text);

domain::AlertRule read_rule(const soci::row& r);
std::optional<domain::AlertRule> fetch_rule(soci::session& sql, long long id);

}  // namespace sentinel::storage
