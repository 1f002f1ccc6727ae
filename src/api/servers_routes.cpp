// /api/v1/servers: the inventory of monitored hosts.

// A g++ 12 false positive on Asio's coroutine frames (see alerting/rule_evaluator.cpp).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include <boost/json/array.hpp>

#include "api/authenticated.hpp"
#include "api/request_parsing.hpp"
#include "api/handlers.hpp"
#include "api/services.hpp"
#include "discovery/discovery_service.hpp"
#include "domain/json.hpp"
#include "domain/server_discovery.hpp"
#include "http/router.hpp"
#include "storage/server_repository.hpp"

namespace sentinel::api {

namespace servers {

using http::Request;
using http::Response;

Response server_response(int status, const core::Result<domain::Server>& r) {
  return http::respond(r, [status](const domain::Server& v) { return http::json_response(status, domain::to_json(v)); });
}

Response list_servers(Services& s, const Request& req) {
  auto page = paging(req);
  auto is_active = query_bool(req, "is_active");
  std::vector<core::FieldError> errors;
  if (!page) collect(errors, page.error());
  if (!is_active) collect(errors, is_active.error());
  if (!errors.empty()) return http::error_response(core::Error::invalid(std::move(errors)));
  boost::json::array out;
  for (const auto& server : s.servers.list({*is_active, page->skip, page->limit}))
    out.push_back(domain::to_json(server));
  return http::json_response(200, out);
}

Response create_server(Services& s, const Request& req, const Caller& caller) {
  auto body = json_body(req);
  if (!body) return http::error_response(body.error());
  auto input = domain::parse_server_create(*body);
  if (!input) return http::error_response(input.error());
  return server_response(201, s.servers.create(*input, caller.actor()));
}

Response get_server(Services& s, const Request& req) {
  auto id = path_id(req, "server_id");
  if (!id) return http::error_response(id.error());
  return server_response(200, s.servers.get(*id));
}

Response update_server(Services& s, const Request& req, const Caller& caller) {
  auto id = path_id(req, "server_id");
  if (!id) return http::error_response(id.error());
  auto body = json_body(req);
  if (!body) return http::error_response(body.error());
  auto patch = domain::parse_server_patch(*body);
  if (!patch) return http::error_response(patch.error());
  return server_response(200, s.servers.update(*id, *patch, caller.actor()));
}

Response delete_server(Services& s, const Request& req, const Caller& caller) {
  auto id = path_id(req, "server_id");
  if (!id) return http::error_response(id.error());
  auto done = s.servers.remove(*id, caller.actor());
  return done ? http::no_content() : http::error_response(done.error());
}

// Registers the job's active targets (product.md §10); the body is checked
// with the caller's role, then Prometheus is read on the event loop.
AsyncResponse discover(Services& s, Request& req) {
  struct Loaded {
    domain::DiscoverRequest request;
    domain::AuditActor actor;
  };
  auto load = [&req](const Caller& caller) -> core::Result<Loaded> {
    auto body = json_body(req);
    if (!body) return core::fail(body.error());
    auto input = domain::parse_discover_request(*body);
    if (!input) return core::fail(input.error());
    return Loaded{std::move(*input), caller.actor()};
  };
  auto then = [&s](Loaded l) -> boost::asio::awaitable<Response> {
    if (s.discovery == nullptr) co_return http::error_response(core::Error::unavailable("discovery is not available"));
    auto report = co_await s.discovery->discover(std::move(l.request), std::move(l.actor));
    if (!report) co_return http::error_response(report.error());
    co_return http::json_response(200, domain::to_json(*report));
  };
  co_return co_await authenticated_then<Loaded>(s, req, std::move(load), std::move(then));
}

}  // namespace servers

}  // namespace sentinel::api
