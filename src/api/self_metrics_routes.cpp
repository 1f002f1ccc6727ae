// GET /metrics: Sentinel's own metrics in Prometheus text format, for the
// Prometheus that scrapes it (no authentication, as exporters do: bind
// Sentinel to a private address or filter /metrics at the proxy).
#include "api/services.hpp"
#include "http/router.hpp"
#include "observability/metrics_registry.hpp"

namespace sentinel::api {

void register_self_metrics_routes(http::Router& r, Services& s) {
  r.add("GET", "/metrics", [&s](http::Request&) -> boost::asio::awaitable<http::Response> {
    if (s.refresh_self_metrics) co_await s.refresh_self_metrics();
    http::Response res;
    res.content_type = std::string(observability::MetricsRegistry::content_type);
    res.body = s.metrics_registry.render();
    co_return res;
  });
}

}  // namespace sentinel::api
