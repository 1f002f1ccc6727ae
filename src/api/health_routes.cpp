// /api/v1/health: liveness (the process serves) and readiness (its
// dependencies answer). Readiness grows a check per dependency as
// Prometheus and Redis arrive.
#include <boost/json/object.hpp>

#include "api/services.hpp"
#include "core/blocking.hpp"
#include "http/responses.hpp"
#include "http/router.hpp"
#include "storage/database.hpp"

namespace sentinel::api {

namespace {

using http::Request;
using http::Response;

boost::asio::awaitable<Response> readiness(Services& s) {
  auto ping = [&s] { return s.database.ping(); };
  const bool db_ok = co_await s.blocking.run(std::move(ping));
  boost::json::object checks{{"database", db_ok ? "ok" : "unavailable"}};
  co_return http::json_response(db_ok ? 200 : 503,
                                boost::json::object{{"status", db_ok ? "ok" : "unavailable"}, {"checks", checks}});
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
