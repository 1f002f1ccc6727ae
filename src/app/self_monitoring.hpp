#pragma once
// Sentinel's own metrics that describe the process rather than count what
// it does: build info, the database pool, /ws/events clients and the
// standard process_* metrics. (Counts of what it does are registered by the
// components that do it; database counts by DatabaseGauges.)
#include <string_view>

namespace sentinel::observability {
class MetricsRegistry;
}
namespace sentinel::storage {
class Database;
}
namespace sentinel::ws {
class EventsHub;
}

namespace sentinel::app {

// sentinel_build_info{version,revision,role} 1,
// sentinel_db_pool_connections{state="in_use"|"idle"}, sentinel_db_pool_size,
// sentinel_ws_event_clients, process_* (observability/process_metrics.hpp).
// `database` and `events_hub` are read at scrape time: they must outlive
// the registry's last render().
void register_self_monitoring(observability::MetricsRegistry& registry, std::string_view role,
                              storage::Database& database, const ws::EventsHub& events_hub);

}  // namespace sentinel::app
