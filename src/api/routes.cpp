// The route table: method, path, the role each route needs, and its
// handler, for every endpoint including the WebSockets. The role column is
// the only place where access is decided (api/authenticated.hpp enforces
// it); /openapi.json states the same roles (a unit test compares them), and
// the integration tests call every row with every role.
#include "api/routes.hpp"

#include "api/handlers.hpp"
#include "http/responses.hpp"

namespace sentinel::api {

namespace {

// Binders: a handler of each shape, bound to the services.
template <auto Fn>
http::Handler sync(Services& s) {
  return sync_route(s, Fn);
}

template <auto Fn>
http::Handler async(Services& s) {
  return async_route(s, Fn);
}

template <auto Fn>
http::Handler open(Services& s) {
  return [&s](http::Request& req) { return Fn(s, req); };
}

// The web console's rows: its assets are hashed when the routes are bound.
template <auto Fn>
http::Handler console_row(Services& s) {
  console_api::prepare();
  return open<Fn>(s);
}

// A WebSocket path asked for without an upgrade: nothing is served, so
// there is nothing to check (ws/ checks the role of an upgrade).
http::Handler websocket(Services&) {
  return [](http::Request& req) -> boost::asio::awaitable<http::Response> {
    req.access_checked = true;
    auto res = http::error_response(core::Error{core::ErrorKind::invalid, "WebSocket upgrade required", {}, 0});
    res.status = 426;
    res.body = R"({"detail":"WebSocket upgrade required"})";
    res.set_header("Upgrade", "websocket");
    co_return res;
  };
}

constexpr auto P = Access::public_;
constexpr auto V = Access::viewer;
constexpr auto E = Access::editor;
constexpr auto A = Access::admin;
constexpr auto WS = Transport::websocket;
constexpr auto HTTP = Transport::http;
constexpr auto CONSOLE = Transport::console;

// clang-format off
constexpr RouteRow table[] = {
  // method    path                                              role  handler
  {"GET",    "/api/v1/health/liveness",                         P, open<health::liveness>,          HTTP, true},
  {"GET",    "/api/v1/health/readiness",                        P, open<health::readiness>},
  {"GET",    "/metrics",                                        P, open<self_metrics::scrape>,      HTTP, true},
  {"GET",    "/openapi.json",                                   P, open<docs_api::openapi>},
  {"GET",    "/docs",                                           P, open<docs_api::index>},
  {"GET",    "/docs/{file}",                                    P, open<docs_api::asset>},

  {"POST",   "/api/v1/auth/login",                              P, open<auth_api::login>},
  {"GET",    "/api/v1/auth/me",                                 V, sync<auth_api::me>},
  {"GET",    "/api/v1/auth/tokens",                             V, sync<auth_api::list_tokens>},
  {"POST",   "/api/v1/auth/tokens",                             V, sync<auth_api::create_token>},
  {"DELETE", "/api/v1/auth/tokens/{token_id}",                  V, sync<auth_api::delete_token>},

  {"GET",    "/api/v1/users/",                                  A, sync<users::list_users>},
  {"POST",   "/api/v1/users/",                                  A, sync<users::create_user>},
  {"GET",    "/api/v1/users/{user_id}",                         A, sync<users::get_user>},
  {"PATCH",  "/api/v1/users/{user_id}",                         A, sync<users::update_user>},
  {"DELETE", "/api/v1/users/{user_id}",                         A, sync<users::delete_user>},

  {"GET",    "/api/v1/servers/",                                V, sync<servers::list_servers>},
  {"POST",   "/api/v1/servers/",                                E, sync<servers::create_server>},
  {"GET",    "/api/v1/servers/{server_id}",                     V, sync<servers::get_server>},
  {"PATCH",  "/api/v1/servers/{server_id}",                     E, sync<servers::update_server>},
  {"DELETE", "/api/v1/servers/{server_id}",                     E, sync<servers::delete_server>},
  {"POST",   "/api/v1/servers/discover",                        E, async<servers::discover>},
  {"GET",    "/api/v1/sd/targets",                              V, sync<sd::targets>},

  {"GET",    "/api/v1/metrics/servers/summary",                 V, async<metrics::fleet_summary>},
  {"GET",    "/api/v1/metrics/servers/{server_id}/summary",     V, async<metrics::summary>},
  {"GET",    "/api/v1/metrics/servers/{server_id}/range",       V, async<metrics::range>},
  {"GET",    "/api/v1/metrics/servers/{server_id}/containers",  V, async<metrics::containers>},
  {"GET",    "/api/v1/metrics/query",                           E, async<metrics::adhoc_query>},

  {"GET",    "/api/v1/alerts/rules/",                           V, sync<rules::list_rules>},
  {"POST",   "/api/v1/alerts/rules/",                           E, async<rules::create_rule>},
  // Before {rule_id}: the first route whose path matches is taken.
  {"POST",   "/api/v1/alerts/rules/import",                     E, async<rule_files::import_rules>},
  {"GET",    "/api/v1/alerts/rules/export",                     V, sync<rule_files::export_rules>},
  {"GET",    "/api/v1/alerts/rules/{rule_id}",                  V, sync<rules::get_rule>},
  {"PATCH",  "/api/v1/alerts/rules/{rule_id}",                  E, async<rules::update_rule>},
  {"DELETE", "/api/v1/alerts/rules/{rule_id}",                  E, sync<rules::delete_rule>},
  {"POST",   "/api/v1/alerts/rules/preview",                    E, async<rules::preview_rule>},
  {"POST",   "/api/v1/alerts/rules/{rule_id}/test",             E, async<rules::test_rule>},

  {"GET",    "/api/v1/alerts/events/",                          V, sync<events::list_events>},
  {"GET",    "/api/v1/alerts/events/{event_id}",                V, sync<events::get_event>},
  {"POST",   "/api/v1/alerts/events/{event_id}/ack",            E, sync<events::ack_event>},

  {"GET",    "/api/v1/alerts/silences/",                        V, sync<silences::list_silences>},
  {"POST",   "/api/v1/alerts/silences/",                        E, sync<silences::create_silence>},
  {"DELETE", "/api/v1/alerts/silences/{silence_id}",            E, sync<silences::delete_silence>},

  {"GET",    "/api/v1/alerts/channels/",                        V, sync<channels::list_channels>},
  {"POST",   "/api/v1/alerts/channels/",                        E, sync<channels::create_channel>},
  {"GET",    "/api/v1/alerts/channels/{channel_id}",            V, sync<channels::get_channel>},
  {"PATCH",  "/api/v1/alerts/channels/{channel_id}",            E, sync<channels::update_channel>},
  {"DELETE", "/api/v1/alerts/channels/{channel_id}",            E, sync<channels::delete_channel>},
  {"POST",   "/api/v1/alerts/channels/{channel_id}/test",       E, async<channels::test_channel>},
  {"GET",    "/api/v1/alerts/channels/{channel_id}/deliveries", V, sync<channels::channel_deliveries>},

  {"GET",    "/api/v1/audit/",                                  A, sync<audit_api::list_entries>},

  {"GET",    "/ws/metrics/{server_id}",                         V, websocket,                       WS},
  {"GET",    "/ws/events",                                      V, websocket,                       WS},
  {"GET",    "/ws/fleet",                                       V, websocket,                       WS},

  // The web console: its bundle, and index.html for every other path (the
  // router gives a {path...} route only paths whose first segment no other
  // route uses, so /api/…, /ws/…, /docs… and /metrics keep their answers).
  {"GET",    "/assets/{file}",                                  P, console_row<console_api::asset>, CONSOLE},
  {"GET",    "/{path...}",                                      P, console_row<console_api::page>,  CONSOLE},
};
// clang-format on

}  // namespace

std::span<const RouteRow> route_table() { return table; }

std::optional<domain::Role> websocket_role(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  for (const auto& row : table) {
    if (row.transport != Transport::websocket) continue;
    const auto brace = row.path.find('{');
    const bool match = brace == std::string_view::npos
                           ? path == row.path
                           : path.starts_with(row.path.substr(0, brace)) && path.size() > brace &&
                                 path.find('/', brace) == std::string_view::npos;
    if (match) return static_cast<domain::Role>(row.access);
  }
  return std::nullopt;
}

void register_routes(http::Router& router, Services& services, bool worker_only) {
  for (const auto& row : table) {
    if (worker_only && !row.on_worker) continue;
    router.add(std::string(row.method), std::string(row.path), row.bind(services), static_cast<int>(row.access));
  }
}

}  // namespace sentinel::api
