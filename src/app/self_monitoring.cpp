#include "app/self_monitoring.hpp"

#include <string>

#include "build_revision.hpp"  // generated: SENTINEL_REVISION
#include "observability/metrics_registry.hpp"
#include "observability/process_metrics.hpp"
#include "storage/database.hpp"
#include "ws/events_hub.hpp"

namespace sentinel::app {

void register_self_monitoring(observability::MetricsRegistry& registry, std::string_view role,
                              storage::Database& database, const ws::EventsHub& events_hub) {
  registry
      .gauge("sentinel_build_info", "Always 1: the version, git revision and role of this process",
             {{"version", SENTINEL_VERSION}, {"revision", SENTINEL_REVISION}, {"role", std::string(role)}})
      .set(1.0);

  constexpr const char* pool_help = "Database connections of this process's pool by state";
  registry.gauge_callback("sentinel_db_pool_connections", pool_help, {{"state", "in_use"}},
                          [&database] { return static_cast<double>(database.pool_stats().in_use); });
  registry.gauge_callback("sentinel_db_pool_connections", pool_help, {{"state", "idle"}},
                          [&database] { return static_cast<double>(database.pool_stats().idle); });
  registry.gauge_callback("sentinel_db_pool_size", "Most database connections this process's pool opens", {},
                          [&database] { return static_cast<double>(database.pool_stats().size); });

  registry.gauge_callback("sentinel_ws_event_clients", "Open /ws/events connections", {},
                          [&events_hub] { return static_cast<double>(events_hub.sessions()); });

  observability::register_process_metrics(registry);
}

}  // namespace sentinel::app
