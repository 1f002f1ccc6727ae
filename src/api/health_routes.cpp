// /api/v1/health: liveness (the process serves) and readiness (its
// dependencies answer). The database is required (503 without it);
// Prometheus only degrades the metrics features, and Redis (when
// configured) only the fan-out of live events between processes, so their
// outages are reported ("status": "degraded") without taking the API out of
// a load balancer. Redis is "disabled" when REDIS_URL is not set.
#include <boost/json/object.hpp>
#include <chrono>

#include "api/authenticated.hpp"
#include "api/handlers.hpp"
#include "api/services.hpp"
#include "core/blocking.hpp"
#include "http/responses.hpp"
#include "http/router.hpp"
#include "prometheus/client.hpp"
#include "storage/database.hpp"

namespace sentinel::api {

namespace health {

boost::asio::awaitable<Response> liveness(Services&, Request&) {
  Response res;
  res.body = R"({"status":"ok"})";
  co_return res;
}

// Without a valid token the answer says only ok or fail per check: the
// reasons name internal hosts and errors, for authenticated eyes only.
boost::asio::awaitable<Response> readiness(Services& s, Request& req) {
  auto ping = [&s, token = bearer_token(req)] {
    const bool db_ok = s.database.ping();
    bool trusted = false;
    if (db_ok && token) {
      try {
        trusted = s.auth.authenticate(*token).has_value();
      } catch (const std::exception&) {  // the database went away between the two: stay quiet
      }
    }
    return std::pair{db_ok, trusted};
  };
  const auto [db_ok, trusted] = co_await s.blocking.run(std::move(ping));
  // Answer within a probe's usual timeout even when Prometheus hangs.
  auto prom = co_await s.prometheus.ping(std::chrono::milliseconds(2000));
  std::optional<bool> redis_ok;
  if (s.redis_ping) {
    auto redis = [&s] { return s.redis_ping(); };
    redis_ok = co_await s.blocking.run(std::move(redis));
  }
  const bool all_ok = prom && redis_ok.value_or(true);
  boost::json::object body;
  if (trusted) {
    boost::json::object checks{{"database", db_ok ? "ok" : "unavailable"},
                               {"prometheus", prom ? "ok" : "unavailable"},
                               {"redis", !redis_ok ? "disabled" : *redis_ok ? "ok" : "unavailable"}};
    body = {{"status", !db_ok ? "unavailable" : all_ok ? "ok" : "degraded"}, {"checks", checks}};
    boost::json::object details;
    if (!prom) details["prometheus"] = prom.error().message;
    if (redis_ok == false) details["redis"] = "Redis unavailable: no answer to PING";
    if (!details.empty()) body["details"] = std::move(details);
  } else {
    boost::json::object checks{{"database", db_ok ? "ok" : "fail"},
                               {"prometheus", prom ? "ok" : "fail"},
                               {"redis", !redis_ok ? "disabled" : *redis_ok ? "ok" : "fail"}};
    body = {{"status", !db_ok ? "fail" : all_ok ? "ok" : "degraded"}, {"checks", checks}};
  }
  co_return http::json_response(db_ok ? 200 : 503, body);
}

}  // namespace health

}  // namespace sentinel::api
