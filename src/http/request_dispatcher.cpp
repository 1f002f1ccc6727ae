#include "http/request_dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <iterator>
#include <optional>
#include <random>

#include "core/error.hpp"
#include "http/responses.hpp"
#include "observability/logging.hpp"

namespace sentinel::http {

namespace {

// Accept a caller's X-Request-ID when it is short and printable, so a trace
// id from a proxy follows the request; otherwise make one.
std::string request_id_for(const Request& req) {
  if (auto given = req.header("X-Request-ID"); given && !given->empty() && given->size() <= 128 &&
                                                std::all_of(given->begin(), given->end(), [](char c) {
                                                  return c > 0x20 && c < 0x7f;
                                                }))
    return std::string(*given);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string id(16, '0');
  auto bits = rng();
  for (auto& c : id) {
    c = hex[bits & 0xf];
    bits >>= 4;
  }
  return id;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ", ";
    out += i;
  }
  return out;
}

}  // namespace

bool is_known_method(std::string_view method) {
  static constexpr std::string_view known[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  return std::find(std::begin(known), std::end(known), method) != std::end(known);
}

RequestDispatcher::RequestDispatcher(const Router& router, DispatchOptions options, RequestObserver observer)
    : router_(router), options_(std::move(options)), observer_(std::move(observer)) {}

bool RequestDispatcher::origin_allowed(std::string_view origin) const {
  return std::any_of(options_.cors_origins.begin(), options_.cors_origins.end(),
                     [&](const std::string& o) { return o == "*" || o == origin; });
}

void RequestDispatcher::add_cors_headers(const Request& request, Response& response) const {
  auto origin = request.header("Origin");
  if (!origin || !origin_allowed(*origin)) return;
  const bool any = std::find(options_.cors_origins.begin(), options_.cors_origins.end(), "*") !=
                   options_.cors_origins.end();
  response.set_header("Access-Control-Allow-Origin", any ? "*" : std::string(*origin));
  response.set_header("Access-Control-Expose-Headers", "X-Request-ID, Retry-After, WWW-Authenticate");
  if (any) return;
  // Keep a Vary the handler set (the console's assets vary by Accept-Encoding).
  for (auto& [name, value] : response.headers)
    if (iequals(name, "Vary")) {
      value += ", Origin";
      return;
    }
  response.set_header("Vary", "Origin");
}

boost::asio::awaitable<Response> RequestDispatcher::dispatch(Request& request) const {
  const auto started = std::chrono::steady_clock::now();
  request.request_id = request_id_for(request);
  std::string_view route_label = "unmatched";
  Response response;
  // A handler's exception, logged once the response (and its status) is known.
  struct Failure {
    spdlog::level::level_enum level;
    std::string what;
  };
  std::optional<Failure> failure;

  const auto match = router_.match(request.method, request.path);
  const bool preflight = request.method == "OPTIONS" && request.header("Origin") &&
                         request.header("Access-Control-Request-Method") && !options_.cors_origins.empty();
  if (!is_known_method(request.method)) {
    response = json_response(501, boost::json::object{{"detail", "Not Implemented"}});
  } else if (preflight) {
    if (!origin_allowed(*request.header("Origin"))) {
      response = error_response(core::Error{core::ErrorKind::forbidden, "Disallowed CORS origin", {}, 0});
    } else {
      response.status = 204;
      response.content_type.clear();
      const auto probe = router_.match(*request.header("Access-Control-Request-Method"), request.path);
      response.set_header("Access-Control-Allow-Methods",
                          probe.kind == RouteMatch::Kind::found ? probe.route->method : join(probe.allowed));
      response.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-ID");
      response.set_header("Access-Control-Max-Age", "600");
    }
  } else if (match.kind == RouteMatch::Kind::not_found) {
    response = error_response(core::Error::not_found("Not Found"));
  } else if (match.kind == RouteMatch::Kind::method_not_allowed) {
    response = error_response(core::Error{core::ErrorKind::method_not_allowed, "Method Not Allowed", {}, 0});
    response.set_header("Allow", join(match.allowed));
  } else {
    route_label = match.route->pattern;
    request.path_params = match.params;
    request.required_role = match.route->required_role;
    request.access_checked = false;
    try {
      response = co_await match.route->handler(request);
      // A protected route must have gone through authentication (api/
      // authenticated.hpp); one that did not is a bug, never an open door.
      if (request.required_role != 0 && !request.access_checked) {
        failure = Failure{spdlog::level::err, "protected route answered without an access check"};
        response = error_response(core::Error::internal("access check missing"));
      }
    } catch (const core::DependencyUnavailable& e) {
      failure = Failure{spdlog::level::warn, e.what()};
      response = error_response(core::Error::unavailable(e.what()));
    } catch (const std::exception& e) {
      failure = Failure{spdlog::level::err, e.what()};
      response = error_response(core::Error::internal(e.what()));
    }
  }

  add_cors_headers(request, response);
  response.set_header("X-Request-ID", request.request_id);
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  const double duration_ms = static_cast<double>(elapsed.count()) / 1000.0;
  // With LOG_FORMAT=json the facts are also separate fields, so a log
  // search by request_id finds the access line and the error line alike.
  using observability::log_with_fields;
  if (failure)
    log_with_fields(failure->level,
                    {{"request_id", request.request_id}, {"method", request.method}, {"route", route_label},
                     {"path", request.path}, {"status", response.status}, {"duration_ms", duration_ms},
                     {"error", failure->what}},
                    "request {} {} {}{}: {}", request.request_id, request.method, route_label,
                    failure->level == spdlog::level::err ? " failed" : "", failure->what);
  log_with_fields(spdlog::level::info,
                  {{"request_id", request.request_id}, {"method", request.method}, {"route", route_label},
                   {"path", request.path}, {"status", response.status}, {"duration_ms", duration_ms},
                   {"bytes", response.body.size()}, {"remote", request.remote_address}},
                  "{} {} {} {:.2f}ms {}B id={} from={}", request.method, request.path, response.status, duration_ms,
                  response.body.size(), request.request_id, request.remote_address);
  if (observer_) observer_(request, route_label, response, elapsed);
  co_return response;
}

}  // namespace sentinel::http
