#pragma once
// Runs a handler body for an authenticated user. Token check, user lookup
// and the body run in ONE hop to the blocking pool: one thread switch per
// request instead of one per SQL call.
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "api/services.hpp"
#include "auth/auth_service.hpp"
#include "core/blocking.hpp"
#include "domain/user.hpp"
#include "http/message.hpp"
#include "http/responses.hpp"
#include "http/router.hpp"

namespace sentinel::api {

enum class Access { user, superuser };

// "Authorization: Bearer <token>" → token; nullopt when absent or another scheme.
std::optional<std::string> bearer_token(const http::Request& req);

// `body(const domain::User&) -> http::Response` runs on the blocking pool
// and may use repositories directly. 401 without a valid token, 403 for a
// non-superuser on a superuser route.
template <class Body>
boost::asio::awaitable<http::Response> authenticated(Services& services, const http::Request& req, Access access,
                                                     Body body) {
  auto job = [&services, token = bearer_token(req), access, body = std::move(body)]() -> http::Response {
    if (!token) return http::error_response(core::Error::unauthorized());
    auto user = services.auth.authenticate(*token);
    if (!user) return http::error_response(user.error());
    if (access == Access::superuser && !user->is_superuser)
      return http::error_response(core::Error::forbidden("The user doesn't have enough privileges"));
    return body(*user);
  };
  http::Response response = co_await services.blocking.run(std::move(job));
  co_return response;
}

// For handlers that also wait on the network (Prometheus): the token check
// and `load(const domain::User&) -> core::Result<T>` run in one hop on the
// blocking pool (SQL allowed there), then `then(T) -> awaitable<Response>`
// runs on the I/O executor, where it may co_await asynchronous clients.
template <class T, class Load, class Then>
boost::asio::awaitable<http::Response> authenticated_then(Services& services, const http::Request& req,
                                                          Access access, Load load, Then then) {
  auto job = [&services, token = bearer_token(req), access, load = std::move(load)]() -> core::Result<T> {
    if (!token) return core::fail(core::Error::unauthorized());
    auto user = services.auth.authenticate(*token);
    if (!user) return core::fail(user.error());
    if (access == Access::superuser && !user->is_superuser)
      return core::fail(core::Error::forbidden("The user doesn't have enough privileges"));
    return load(*user);
  };
  core::Result<T> loaded = co_await services.blocking.run(std::move(job));
  if (!loaded) co_return http::error_response(loaded.error());
  http::Response response = co_await then(std::move(*loaded));
  co_return response;
}

// Adapts a synchronous handler `Response(Services&, const Request&)` (or one
// that also takes the user) into a route handler behind authentication.
template <class Fn>
http::Handler authenticated_route(Services& services, Access access, Fn fn) {
  return [&services, access, fn](http::Request& req) -> boost::asio::awaitable<http::Response> {
    return authenticated(services, req, access, [&services, &req, fn](const domain::User& user) {
      if constexpr (std::is_invocable_v<Fn, Services&, const http::Request&, const domain::User&>)
        return fn(services, req, user);
      else
        return fn(services, req);
    });
  };
}

template <class Fn>
http::Handler user_route(Services& services, Fn fn) {
  return authenticated_route(services, Access::user, fn);
}

template <class Fn>
http::Handler superuser_route(Services& services, Fn fn) {
  return authenticated_route(services, Access::superuser, fn);
}

}  // namespace sentinel::api
