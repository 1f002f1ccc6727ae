#pragma once
// The route table: every endpoint of Sentinel, WebSockets included, with
// the role it needs (product.md §7). Defined in api/routes.cpp.
#include <span>
#include <string_view>

#include "domain/role.hpp"
#include "http/router.hpp"

namespace sentinel::api {

struct Services;

// Who may call a route: anyone, or a credential of at least this role.
enum class Access { public_ = 0, viewer = 1, editor = 2, admin = 3 };

constexpr std::string_view to_string(Access a) {
  return a == Access::public_ ? std::string_view("public") : domain::to_string(static_cast<domain::Role>(a));
}

// http: an API endpoint (in /openapi.json); websocket: an upgrade (ws/);
// console: the web console's pages and assets (public, not API operations).
enum class Transport { http, websocket, console };

constexpr std::string_view to_string(Transport t) {
  return t == Transport::websocket ? "websocket" : t == Transport::console ? "console" : "http";
}

// One row: method, path, role, and the handler (bound to the services).
struct RouteRow {
  std::string_view method;
  std::string_view path;
  Access access;
  http::Handler (*bind)(Services&);
  Transport transport = Transport::http;
  bool on_worker = false;  // also served by `--role worker` (liveness, /metrics)
};

std::span<const RouteRow> route_table();

// The role a WebSocket path needs (nullopt: not a WebSocket route), for ws/.
std::optional<domain::Role> websocket_role(std::string_view path);

// Adds every row to `router` (a worker: only its rows). WebSocket rows
// answer 426 to a request that is not an upgrade; upgrades go to ws/.
void register_routes(http::Router& router, Services& services, bool worker_only = false);

}  // namespace sentinel::api
