#include "app/instrumentation.hpp"

#include <string>

#include "http/server.hpp"
#include "observability/metrics_registry.hpp"

namespace sentinel::app {

http::RequestObserver http_request_observer(observability::MetricsRegistry& registry) {
  return [&registry](const http::Request& req, std::string_view route, const http::Response& res,
                     std::chrono::microseconds elapsed) {
    registry
        .counter("sentinel_http_requests_total", "HTTP requests by method, route template and status",
                 {{"method", http::is_known_method(req.method) ? req.method : std::string("other")},
                  {"route", std::string(route)},
                  {"status", std::to_string(res.status)}})
        .inc();
    registry
        .histogram("sentinel_http_request_duration_seconds", "HTTP request latency by route template",
                   observability::default_latency_buckets(), {{"route", std::string(route)}})
        .observe(static_cast<double>(elapsed.count()) / 1e6);
  };
}

prometheus::QueryObserver prometheus_query_observer(observability::MetricsRegistry& registry) {
  return [&registry](std::string_view endpoint, const prometheus::QueryError* error, double seconds) {
    const std::string result = error ? std::string(prometheus::to_string(error->kind)) : std::string("success");
    registry
        .counter("sentinel_prometheus_queries_total", "Queries sent to Prometheus by API endpoint and result",
                 {{"endpoint", std::string(endpoint)}, {"result", result}})
        .inc();
    registry
        .histogram("sentinel_prometheus_query_duration_seconds",
                   "Prometheus query latency, including the wait for a concurrency slot",
                   observability::default_latency_buckets(), {{"endpoint", std::string(endpoint)}})
        .observe(seconds);
  };
}

std::function<void(std::string_view)> connection_limit_observer(observability::MetricsRegistry& registry) {
  auto& per_client = registry.counter("sentinel_http_connections_refused_total",
                                      "Connections closed at once by the connection caps, by cap",
                                      {{"reason", "per_client"}});
  auto& global = registry.counter("sentinel_http_connections_refused_total",
                                  "Connections closed at once by the connection caps, by cap",
                                  {{"reason", "max_connections"}});
  auto& evicted = registry.counter("sentinel_http_connections_evicted_total",
                                   "Idle connections closed to make room at MAX_CONNECTIONS");
  return [&per_client, &global, &evicted](std::string_view reason) {
    if (reason == "per_client")
      per_client.inc();
    else if (reason == "max_connections")
      global.inc();
    else
      evicted.inc();
  };
}

void register_connection_gauges(observability::MetricsRegistry& registry, const http::HttpServer& server) {
  registry.gauge_callback("sentinel_http_connections", "Open client connections, HTTP and WebSocket", {},
                          [&server] { return static_cast<double>(server.counted_connections()); });
  registry.gauge_callback("sentinel_http_connection_clients", "Client addresses (IPv6: /64) holding connections", {},
                          [&server] { return static_cast<double>(server.connected_clients()); });
}

}  // namespace sentinel::app
