#pragma once
// One evaluation's writes (series state, events, outbox rows), inside the
// caller's transaction, in a handful of statements whatever the number of
// series: rows are grouped by kind and written in chunks (BatchStatement),
// silences are read once, and events are read back in one query. A fleet
// rule firing for a thousand hosts costs a few round trips, not several
// thousand (bench/fleet). Internal to storage/alert_engine_store.cpp.
#include <soci/soci.h>

#include <vector>

#include "domain/alert_rule.hpp"
#include "storage/alert_engine_store.hpp"
#include "storage/notification_routes.hpp"

namespace sentinel::storage {

// Writes what `ev.updates` says (not the rule row) and appends the ids of
// the events created or resolved to `touched`. Notifications go to the
// rule's targets, grouped, as `routing` says (notification_routes.hpp).
void write_series_updates(soci::session& sql, const domain::AlertRule& rule, const EvaluationRecord& ev,
                          std::vector<long long>& touched, const RoutingDefaults& routing);

// The events `ids` (created or resolved), in that order, for /ws/events.
std::vector<RecordedEvent> fetch_recorded(soci::session& sql, const std::vector<long long>& ids);

}  // namespace sentinel::storage
