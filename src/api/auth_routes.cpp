// /api/v1/auth: OAuth2-password-style login (form or JSON), "who am I", and API tokens.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/authenticated.hpp"
#include "api/request_parsing.hpp"
#include "api/handlers.hpp"
#include "api/services.hpp"
#include "auth/hash_pool.hpp"
#include "domain/json.hpp"
#include "http/router.hpp"
#include "storage/api_token_repository.hpp"
#include "storage/audit_repository.hpp"

namespace sentinel::api {

namespace auth_api {

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

// Login success and failure go to the audit log; a throttled attempt
// (429) does not, so a flood cannot fill it.
void audit_login(Services& s, const Request& req, std::string_view email, const core::Result<auth::LoginResult>& r) {
  domain::AuditActor actor{std::nullopt, std::string(email.substr(0, 254)), "password", std::nullopt,
                           req.remote_address, req.request_id};
  if (r) {
    actor.actor_id = r->user_id;
    s.audit.record(actor, "auth.login", "user", std::to_string(r->user_id));
  } else if (r.error().kind == core::ErrorKind::unauthorized || r.error().kind == core::ErrorKind::forbidden) {
    s.audit.record(actor, "auth.login_failed", "user", std::nullopt);
  }
}

boost::asio::awaitable<Response> login(Services& s, Request& req) {
  auto creds = read_credentials(req);
  if (!creds) co_return http::error_response(creds.error());
  const Credentials c = std::move(*creds);
  // Limits and the user on the blocking pool; Argon2id alone on the hashing
  // pool (idle CPU priority), so that nothing holding a database connection
  // or a lock waits behind it; the outcome on the blocking pool again. When
  // the hashing pool is full the answer is 429 at once, before any other
  // work (product.md §7).
  std::optional<auth::HashPool::Reservation> place;
  if (s.hashing) {
    place = s.hashing->reserve();
    if (!place)
      co_return http::error_response(core::Error::rate_limited(1, "Too many login attempts in progress, try again later"));
  }
  auto begin = [&s, &req, &c] { return s.auth.begin_login(c.username, req.client_key); };
  core::Result<auth::LoginAttempt> attempt = co_await s.blocking.run(std::move(begin));
  if (!attempt) co_return http::error_response(attempt.error());  // throttled: not audited, so a flood cannot fill it
  auto check = [&attempt, &c] { return auth::AuthService::check_password(*attempt, c.password); };
  bool password_ok;
  if (s.hashing)
    password_ok = co_await s.hashing->run(std::move(check));
  else  // Services built without one (tests)
    password_ok = co_await s.blocking.run(std::move(check));
  place.reset();
  auto finish = [&s, &req, &c, &attempt, ok = password_ok] {
    auto result = s.auth.finish_login(*attempt, ok);
    audit_login(s, req, c.username, result);
    return http::respond(result, [](const auth::LoginResult& r) {
      Response res = http::json_response(
          200, boost::json::object{{"access_token", r.access_token}, {"token_type", "bearer"}, {"expires_in", r.expires_in}});
      res.set_header("Cache-Control", "no-store");
      return res;
    });
  };
  Response response = co_await s.blocking.run(std::move(finish));
  co_return response;
}

Response me(Services&, const Request&, const Caller& caller) {
  return http::json_response(200, domain::to_json(caller.user()));
}

// POST /auth/tokens: the secret is in this answer only.
Response create_token(Services& s, const Request& req, const Caller& caller) {
  auto body = json_body(req);
  if (!body) return http::error_response(body.error());
  auto input = domain::parse_api_token_create(*body, core::system_now());
  if (!input) return http::error_response(input.error());
  auto issued = s.auth.issue_api_token(caller.principal, *input, caller.actor());
  return http::respond(issued, [](const auth::IssuedApiToken& t) {
    auto out = domain::to_json(t.token).as_object();
    out["token"] = t.secret;
    Response res = http::json_response(201, out);
    res.set_header("Cache-Control", "no-store");
    return res;
  });
}

// GET /auth/tokens: the caller's own; an admin may name another user.
Response list_tokens(Services& s, const Request& req, const Caller& caller) {
  auto user_id = query_int(req, "user_id");
  if (!user_id) return http::error_response(user_id.error());
  const auto owner = user_id->value_or(caller.user().id);
  if (owner != caller.user().id && caller.role() != domain::Role::admin)
    return http::error_response(core::Error::forbidden("Not enough privileges"));
  boost::json::array out;
  for (const auto& t : s.api_tokens.list(owner)) out.push_back(domain::to_json(t));
  return http::json_response(200, out);
}

// DELETE /auth/tokens/{id}: one's own token, or any token for an admin.
// Someone else's token answers 404, not 403: its existence is not theirs to learn.
Response delete_token(Services& s, const Request& req, const Caller& caller) {
  auto id = path_id(req, "token_id");
  if (!id) return http::error_response(id.error());
  auto token = s.api_tokens.get(*id);
  if (!token || (token->user_id != caller.user().id && caller.role() != domain::Role::admin))
    return http::error_response(core::Error::not_found("Token not found"));
  auto done = s.api_tokens.revoke(*id, caller.actor());
  s.auth.forget_api_token(*id);
  return done ? http::no_content() : http::error_response(done.error());
}

}  // namespace auth_api

}  // namespace sentinel::api
