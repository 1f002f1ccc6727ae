#pragma once
// Reading and writing alert_events rows, shared by the event repository
// (API) and the alert engine's store (internal to storage/).
#include <soci/soci.h>

#include <map>
#include <optional>
#include <string>

#include "domain/alert_event.hpp"

namespace sentinel::storage {

// The columns read_event() expects, in order.
extern const char* const event_columns;

domain::AlertEvent read_event(const soci::row& r);
std::optional<domain::AlertEvent> fetch_event(soci::session& sql, long long id);

// Inserts every field but id and created_at (set to `now`); returns the id.
long long insert_event(soci::session& sql, const domain::AlertEvent& e, long long now);

// Labels are stored as a JSON object of strings.
std::map<std::string, std::string> parse_labels(const std::string& text);
std::string labels_json(const std::map<std::string, std::string>& labels);

}  // namespace sentinel::storage
