// /api/v1/health: liveness (the process serves) and readiness (its
// dependencies answer). The database is required (503 without it);
// Prometheus only degrades the metrics features, and Redis (when
// configured) only the fan-out of live events between processes, so their
// outages are reported ("status": "degraded") without taking the API out of
// a load balancer.
#include <boost/json/object.hpp>
#include <chrono>

#include "api/services.hpp"
#include "core/blocking.hpp"
#include "http/responses.hpp"
#include "http/router.hpp"
#include "prometheus/client.hpp"
#include "storage/database.hpp"

namespace sentinel::api {

namespace {

using http::Request;
using http::Response;

boost::asio::awaitable<Response> readiness(Services& s) {
  auto ping = [&s] { return s.database.ping(); };
  const bool db_ok = co_await s.blocking.run(std::move(ping));
  // Answer within a probe's usual timeout even when Prometheus hangs.
  auto prom = co_await s.prometheus.ping(std::chrono::milliseconds(2000));
  std::optional<bool> redis_ok;
  if (s.redis_ping) {
    auto redis = [&s] { return s.redis_ping(); };
    redis_ok = co_await s.blocking.run(std::move(redis));
  }
  boost::json::object checks{{"database", db_ok ? "ok" : "unavailable"},
                             {"prometheus", prom ? "ok" : "unavailable"}};
  if (redis_ok) checks["redis"] = *redis_ok ? "ok" : "unavailable";
  const bool all_ok = prom && redis_ok.value_or(true);
  boost::json::object body{{"status", !db_ok ? "unavailable" : all_ok ? "ok" : "degraded"}, {"checks", checks}};
  boost::json::object details;
  if (!prom) details["prometheus"] = prom.error().message;
  if (redis_ok == false) details["redis"] = "Redis unavailable: no answer to PING";
  if (!details.empty()) body["details"] = std::move(details);
  co_return http::json_response(db_ok ? 200 : 503, body);
}

}  // namespace

void register_health_routes(http::Router& r, Services& s) {
  r.add("GET", "/api/v1/health/liveness", [](Request&) -> boost::asio::awaitable<Response> {
    Response res;
    res.body = R"({"status":"ok"})";
    co_return res;
  });
  r.add("GET", "/api/v1/health/readiness", [&s](Request&) { return readiness(s); });
}

}  // namespace sentinel::api
