#pragma once
// Authentication and the role check of the route table (api/routes.cpp),
// in ONE hop to the blocking pool together with the handler's own database
// work: one thread switch per request instead of one per SQL call.
//
// The role a route needs is the table's, carried on the request
// (Request::required_role); handlers never name a role themselves. A
// handler of a protected route that does not go through these helpers
// answers 500 (http/request_dispatcher.cpp), so a forgotten check cannot open a
// route.
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "api/services.hpp"
#include "auth/auth_service.hpp"
#include "auth/principal.hpp"
#include "core/blocking.hpp"
#include "domain/audit.hpp"
#include "domain/role.hpp"
#include "http/message.hpp"
#include "http/responses.hpp"
#include "http/router.hpp"

namespace sentinel::api {

// Who calls, and from where: what handlers need for ownership checks and
// for the audit log.
struct Caller {
  auth::Principal principal;
  std::string client_address;
  std::string request_id;

  const domain::User& user() const { return principal.user; }
  domain::Role role() const { return principal.role; }
  domain::AuditActor actor() const {
    return domain::AuditActor{principal.user.id,  principal.user.email, std::string(principal.via()),
                              principal.token_id, client_address,       request_id};
  }
};

// "Authorization: Bearer <token>" → token; nullopt when absent or another scheme.
std::optional<std::string> bearer_token(const http::Request& req);

// Authenticates `token` and checks it against the route's role. Runs on
// the blocking pool. 401 without a valid credential, 403 "Not enough
// privileges" below the route's role.
core::Result<Caller> authorize(Services& services, const http::Request& req, const std::optional<std::string>& token);

// `body(const Caller&) -> http::Response` runs on the blocking pool after
// the check and may use repositories directly.
template <class Body>
boost::asio::awaitable<http::Response> authenticated(Services& services, http::Request& req, Body body) {
  req.access_checked = true;
  auto job = [&services, &req, token = bearer_token(req), body = std::move(body)]() -> http::Response {
    auto caller = authorize(services, req, token);
    if (!caller) return http::error_response(caller.error());
    return body(*caller);
  };
  http::Response response = co_await services.blocking.run(std::move(job));
  co_return response;
}

// For handlers that also wait on the network (Prometheus): the check and
// `load(const Caller&) -> core::Result<T>` run in one hop on the blocking
// pool (SQL allowed there), then `then(T) -> awaitable<Response>` runs on
// the I/O executor, where it may co_await asynchronous clients.
template <class T, class Load, class Then>
boost::asio::awaitable<http::Response> authenticated_then(Services& services, http::Request& req, Load load,
                                                          Then then) {
  req.access_checked = true;
  auto job = [&services, &req, token = bearer_token(req), load = std::move(load)]() -> core::Result<T> {
    auto caller = authorize(services, req, token);
    if (!caller) return core::fail(caller.error());
    return load(*caller);
  };
  core::Result<T> loaded = co_await services.blocking.run(std::move(job));
  if (!loaded) co_return http::error_response(loaded.error());
  http::Response response = co_await then(std::move(*loaded));
  co_return response;
}

// A synchronous handler `Response(Services&, const Request&, const Caller&)`
// (or without the caller) as a route handler behind the table's check.
template <class Fn>
http::Handler sync_route(Services& services, Fn fn) {
  return [&services, fn](http::Request& req) -> boost::asio::awaitable<http::Response> {
    return authenticated(services, req, [&services, &req, fn](const Caller& caller) {
      if constexpr (std::is_invocable_v<Fn, Services&, const http::Request&, const Caller&>)
        return fn(services, req, caller);
      else
        return fn(services, req);
    });
  };
}

// An asynchronous handler `awaitable<Response>(Services&, Request&)`, which
// goes through authenticated_then itself.
template <class Fn>
http::Handler async_route(Services& services, Fn fn) {
  return [&services, fn](http::Request& req) { return fn(services, req); };
}

}  // namespace sentinel::api
