// /api/v1/users: account management, superusers only.
#include <boost/json/array.hpp>

#include "api/authenticated.hpp"
#include "api/request_parsing.hpp"
#include "api/services.hpp"
#include "auth/password.hpp"
#include "domain/json.hpp"
#include "http/router.hpp"
#include "storage/user_repository.hpp"

namespace sentinel::api {

namespace {

using http::Request;
using http::Response;

Response user_response(int status, const core::Result<domain::User>& r) {
  return http::respond(r, [status](const domain::User& v) { return http::json_response(status, domain::to_json(v)); });
}

Response list_users(Services& s, const Request& req) {
  auto page = paging(req);
  if (!page) return http::error_response(page.error());
  boost::json::array out;
  for (const auto& u : s.users.list(page->skip, page->limit)) out.push_back(domain::to_json(u));
  return http::json_response(200, out);
}

Response create_user(Services& s, const Request& req) {
  auto body = json_body(req);
  if (!body) return http::error_response(body.error());
  auto input = domain::parse_user_create(*body);
  if (!input) return http::error_response(input.error());
  if (s.users.find_by_email(input->email))
    return http::error_response(core::Error::conflict("Email already registered"));
  return user_response(
      201, s.users.create(input->email, auth::hash_password(input->password), input->is_active, input->is_superuser));
}

Response get_user(Services& s, const Request& req) {
  auto id = path_id(req, "user_id");
  if (!id) return http::error_response(id.error());
  return user_response(200, s.users.get(*id));
}

Response update_user(Services& s, const Request& req, const domain::User& me) {
  auto id = path_id(req, "user_id");
  if (!id) return http::error_response(id.error());
  auto body = json_body(req);
  if (!body) return http::error_response(body.error());
  auto patch = domain::parse_user_patch(*body);
  if (!patch) return http::error_response(patch.error());
  // Locking yourself out of administration is never what was meant.
  if (*id == me.id && ((patch->is_active && !*patch->is_active) || (patch->is_superuser && !*patch->is_superuser)))
    return http::error_response(core::Error::forbidden("Superusers cannot deactivate or demote themselves"));
  storage::UserChanges changes{patch->email, std::nullopt, patch->is_active, patch->is_superuser};
  if (patch->password) changes.password_hash = auth::hash_password(*patch->password);
  auto updated = s.users.update(*id, changes);
  s.auth.forget(*id);  // revocation takes effect on the next request
  return user_response(200, updated);
}

Response delete_user(Services& s, const Request& req, const domain::User& me) {
  auto id = path_id(req, "user_id");
  if (!id) return http::error_response(id.error());
  if (*id == me.id) return http::error_response(core::Error::forbidden("Superusers cannot delete themselves"));
  auto done = s.users.remove(*id);
  s.auth.forget(*id);
  return done ? http::no_content() : http::error_response(done.error());
}

}  // namespace

void register_user_routes(http::Router& r, Services& s) {
  r.add("GET", "/api/v1/users/", superuser_route(s, list_users));
  r.add("POST", "/api/v1/users/", superuser_route(s, create_user));
  r.add("GET", "/api/v1/users/{user_id}", superuser_route(s, get_user));
  r.add("PATCH", "/api/v1/users/{user_id}", superuser_route(s, update_user));
  r.add("DELETE", "/api/v1/users/{user_id}", superuser_route(s, delete_user));
}

}  // namespace sentinel::api
