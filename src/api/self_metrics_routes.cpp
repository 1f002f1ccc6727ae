// GET /metrics: Sentinel's own metrics in Prometheus text format, for the
// Prometheus that scrapes it (no authentication, as exporters do: bind
// Sentinel to a private address or filter /metrics at the proxy).
#include "api/handlers.hpp"
#include "api/services.hpp"
#include "http/router.hpp"
#include "observability/metrics_registry.hpp"

namespace sentinel::api {

namespace self_metrics {

boost::asio::awaitable<http::Response> scrape(Services& s, http::Request&) {
  if (s.refresh_self_metrics) co_await s.refresh_self_metrics();
  http::Response res;
  res.content_type = std::string(observability::MetricsRegistry::content_type);
  res.body = s.metrics_registry.render();
  co_return res;
}

}  // namespace self_metrics

}  // namespace sentinel::api
