#pragma once
// Sentinel's own metrics (GET /metrics): the hooks that feed the registry
// from the HTTP dispatcher and the Prometheus client.
#include "http/dispatcher.hpp"
#include "prometheus/client.hpp"

namespace sentinel::observability {
class MetricsRegistry;
}

namespace sentinel::app {

// sentinel_http_requests_total{method,route,status} and
// sentinel_http_request_duration_seconds{route} (route = the route template).
http::RequestObserver http_request_observer(observability::MetricsRegistry& registry);

// sentinel_prometheus_queries_total{endpoint,result} and
// sentinel_prometheus_query_duration_seconds{endpoint}.
prometheus::QueryObserver prometheus_query_observer(observability::MetricsRegistry& registry);

}  // namespace sentinel::app
