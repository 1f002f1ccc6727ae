#pragma once
// Every handler of the route table (api/routes.cpp), one namespace per
// resource, each defined in its *_routes.cpp. Three shapes:
//   Response f(Services&, const Request&[, const Caller&])   runs on the blocking pool after the role check
//   awaitable<Response> f(Services&, Request&)               protected: goes through authenticated_then itself
//   awaitable<Response> f(Services&, Request&)               public routes
#include <boost/asio/awaitable.hpp>

#include "api/authenticated.hpp"
#include "api/services.hpp"
#include "http/message.hpp"

namespace sentinel::api {

using http::Request;
using http::Response;
using AsyncResponse = boost::asio::awaitable<Response>;

namespace health {
AsyncResponse liveness(Services& s, Request& req);
AsyncResponse readiness(Services& s, Request& req);
}  // namespace health

namespace self_metrics {
AsyncResponse scrape(Services& s, Request& req);
}

namespace docs_api {
AsyncResponse openapi(Services& s, Request& req);
AsyncResponse index(Services& s, Request& req);
AsyncResponse asset(Services& s, Request& req);
}  // namespace docs_api

// The web console (api/console.hpp): index.html for every page path, the
// bundle under /assets/ by its hashed name.
namespace console_api {
// Hashes the embedded bundle (called when the routes are bound, at startup).
void prepare();
AsyncResponse page(Services& s, Request& req);
AsyncResponse asset(Services& s, Request& req);
}  // namespace console_api

namespace auth_api {
AsyncResponse login(Services& s, Request& req);
Response me(Services& s, const Request& req, const Caller& caller);
Response create_token(Services& s, const Request& req, const Caller& caller);
Response list_tokens(Services& s, const Request& req, const Caller& caller);
Response delete_token(Services& s, const Request& req, const Caller& caller);
}  // namespace auth_api

namespace users {
Response list_users(Services& s, const Request& req);
Response create_user(Services& s, const Request& req, const Caller& caller);
Response get_user(Services& s, const Request& req);
Response update_user(Services& s, const Request& req, const Caller& caller);
Response delete_user(Services& s, const Request& req, const Caller& caller);
}  // namespace users

namespace servers {
Response list_servers(Services& s, const Request& req);
Response create_server(Services& s, const Request& req, const Caller& caller);
Response get_server(Services& s, const Request& req);
Response update_server(Services& s, const Request& req, const Caller& caller);
Response delete_server(Services& s, const Request& req, const Caller& caller);
// POST /api/v1/servers/discover: register a Prometheus job's targets.
AsyncResponse discover(Services& s, Request& req);
}  // namespace servers

// Prometheus's HTTP service discovery: the active servers as scrape targets.
namespace sd {
Response targets(Services& s, const Request& req);
}

namespace metrics {
AsyncResponse summary(Services& s, Request& req);
AsyncResponse fleet_summary(Services& s, Request& req);
AsyncResponse range(Services& s, Request& req);
AsyncResponse containers(Services& s, Request& req);
AsyncResponse adhoc_query(Services& s, Request& req);
}  // namespace metrics

// Prometheus rule files in and out (product.md §10).
namespace rule_files {
AsyncResponse import_rules(Services& s, Request& req);
Response export_rules(Services& s, const Request& req);
}  // namespace rule_files

namespace rules {
Response list_rules(Services& s, const Request& req);
AsyncResponse create_rule(Services& s, Request& req);
Response get_rule(Services& s, const Request& req);
AsyncResponse update_rule(Services& s, Request& req);
Response delete_rule(Services& s, const Request& req, const Caller& caller);
AsyncResponse test_rule(Services& s, Request& req);
AsyncResponse preview_rule(Services& s, Request& req);
}  // namespace rules

namespace events {
Response list_events(Services& s, const Request& req);
Response get_event(Services& s, const Request& req);
Response ack_event(Services& s, const Request& req, const Caller& caller);
}  // namespace events

namespace silences {
Response list_silences(Services& s, const Request& req);
Response create_silence(Services& s, const Request& req, const Caller& caller);
Response delete_silence(Services& s, const Request& req, const Caller& caller);
}  // namespace silences

namespace channels {
Response list_channels(Services& s, const Request& req);
Response create_channel(Services& s, const Request& req, const Caller& caller);
Response get_channel(Services& s, const Request& req);
Response channel_deliveries(Services& s, const Request& req);  // the last notifications sent to it
Response update_channel(Services& s, const Request& req, const Caller& caller);
Response delete_channel(Services& s, const Request& req, const Caller& caller);
AsyncResponse test_channel(Services& s, Request& req);  // api/channel_test_routes.cpp
}  // namespace channels

namespace audit_api {
Response list_entries(Services& s, const Request& req);
}

}  // namespace sentinel::api
