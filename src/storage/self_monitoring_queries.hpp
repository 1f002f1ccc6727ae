#pragma once
// Counts for Sentinel's own /metrics that only the database knows, the same
// in every process of a cluster: alert rules by state and the notification
// outbox's backlog. Blocking: run them on the BlockingPool.
#include <cstdint>
#include <map>
#include <string>

#include "storage/database.hpp"

namespace sentinel::storage {

// Alert rules by `state` ("inactive", "pending", "firing", "error"); rules
// with is_active = false count under "paused" only, whatever their state.
// States with no rule are absent. Throws DatabaseUnavailable.
std::map<std::string, std::int64_t> count_rules_by_state(Database& db);

// Outbox rows not delivered and not given up yet (status "pending": waiting,
// in flight or waiting for a retry), by channel type ("telegram", "slack"…;
// "deleted" for a stored channel deleted since). Types with none are
// absent. Throws DatabaseUnavailable.
std::map<std::string, std::int64_t> count_outbox_backlog(Database& db);

}  // namespace sentinel::storage
