#pragma once
// Sentinel's own metrics (GET /metrics): the hooks that feed the registry
// from the HTTP dispatcher and the Prometheus client.
#include <functional>
#include <string_view>

#include "http/request_dispatcher.hpp"
#include "prometheus/client.hpp"

namespace sentinel::observability {
class MetricsRegistry;
}
namespace sentinel::http {
class HttpServer;
}

namespace sentinel::app {

// sentinel_http_requests_total{method,route,status} and
// sentinel_http_request_duration_seconds{route} (route = the route template).
http::RequestObserver http_request_observer(observability::MetricsRegistry& registry);

// sentinel_prometheus_queries_total{endpoint,result} and
// sentinel_prometheus_query_duration_seconds{endpoint}.
prometheus::QueryObserver prometheus_query_observer(observability::MetricsRegistry& registry);

// sentinel_http_connections_refused_total{reason="per_client"|"max_connections"}
// and sentinel_http_connections_evicted_total (idle ones closed to make room).
std::function<void(std::string_view)> connection_limit_observer(observability::MetricsRegistry& registry);

// sentinel_http_connections (open, WebSockets included) and
// sentinel_http_connection_clients (client keys holding them). `server`
// must outlive the registry's scrapes.
void register_connection_gauges(observability::MetricsRegistry& registry, const http::HttpServer& server);

}  // namespace sentinel::app
