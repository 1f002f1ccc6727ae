// /api/v1/auth: OAuth2-password-style login (form or JSON) and "who am I".
#include <boost/json/object.hpp>

#include "api/authenticated.hpp"
#include "api/request_parsing.hpp"
#include "api/services.hpp"
#include "domain/json.hpp"
#include "http/router.hpp"

namespace sentinel::api {

namespace {

using http::Request;
using http::Response;

struct Credentials {
  std::string username;
  std::string password;
};

core::Result<Credentials> read_credentials(const Request& req) {
  const auto ct = req.header("Content-Type").value_or("");
  Credentials c;
  std::vector<core::FieldError> errors;
  if (ct.starts_with("application/json")) {
    auto body = json_body(req);
    if (!body) return core::fail(body.error());
    const auto* obj = body->if_object();
    if (!obj)
      return core::fail(core::Error::invalid_field(
          {"body"}, "Input should be a valid dictionary or object to extract fields from", "model_attributes_type"));
    for (const char* name : {"username", "password"}) {
      const auto* v = obj->if_contains(name);
      if (!v)
        errors.push_back({{"body", name}, "Field required", "missing"});
      else if (!v->is_string())
        errors.push_back({{"body", name}, "Input should be a valid string", "string_type"});
      else
        (std::string_view(name) == "username" ? c.username : c.password) = std::string(v->as_string());
    }
  } else if (ct.starts_with("application/x-www-form-urlencoded") || ct.empty()) {
    auto form = http::parse_form(req.body);
    if (!form) return core::fail(core::Error::invalid_field({"body"}, "Malformed form body", "value_error"));
    auto get = [&](std::string_view name) -> std::optional<std::string> {
      for (const auto& [k, v] : *form)
        if (k == name) return v;
      return std::nullopt;
    };
    auto u = get("username");
    auto p = get("password");
    if (!u) errors.push_back({{"body", "username"}, "Field required", "missing"});
    if (!p) errors.push_back({{"body", "password"}, "Field required", "missing"});
    if (u) c.username = *u;
    if (p) c.password = *p;
  } else {
    return core::fail(core::Error{core::ErrorKind::unsupported_media_type,
                                  "Unsupported media type: expected application/x-www-form-urlencoded or "
                                  "application/json",
                                  {}, 0});
  }
  if (!errors.empty()) return core::fail(core::Error::invalid(std::move(errors)));
  return c;
}

boost::asio::awaitable<Response> login(Services& s, Request& req) {
  auto creds = read_credentials(req);
  if (!creds) co_return http::error_response(creds.error());
  auto job = [&s, &req, c = std::move(*creds)]() {
    auto result = s.auth.login(c.username, c.password, req.remote_address);
    return http::respond(result, [](const auth::LoginResult& r) {
      Response res = http::json_response(
          200, boost::json::object{{"access_token", r.access_token}, {"token_type", "bearer"}, {"expires_in", r.expires_in}});
      res.set_header("Cache-Control", "no-store");
      return res;
    });
  };
  Response response = co_await s.blocking.run(std::move(job));
  co_return response;
}

Response me(Services&, const Request&, const domain::User& user) { return http::json_response(200, domain::to_json(user)); }

}  // namespace

void register_auth_routes(http::Router& r, Services& s) {
  r.add("POST", "/api/v1/auth/login", [&s](Request& q) { return login(s, q); });
  r.add("GET", "/api/v1/auth/me", user_route(s, me));
}

}  // namespace sentinel::api
