// /api/v1/users: account management (admins; see api/routes.cpp).
#include <boost/json/array.hpp>

#include "api/authenticated.hpp"
#include "api/request_parsing.hpp"
#include "api/handlers.hpp"
#include "api/services.hpp"
#include "auth/password.hpp"
#include "domain/json.hpp"
#include "http/router.hpp"
#include "storage/user_repository.hpp"

namespace sentinel::api {

namespace users {

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

Response create_user(Services& s, const Request& req, const Caller& caller) {
  auto body = json_body(req);
  if (!body) return http::error_response(body.error());
  auto input = domain::parse_user_create(*body);
  if (!input) return http::error_response(input.error());
  if (s.users.find_by_email(input->email))
    return http::error_response(core::Error::conflict("Email already registered"));
  return user_response(201, s.users.create(input->email, auth::hash_password(input->password), input->is_active,
                                           domain::requested_role(*input), caller.actor()));
}

Response get_user(Services& s, const Request& req) {
  auto id = path_id(req, "user_id");
  if (!id) return http::error_response(id.error());
  return user_response(200, s.users.get(*id));
}

Response update_user(Services& s, const Request& req, const Caller& caller) {
  auto id = path_id(req, "user_id");
  if (!id) return http::error_response(id.error());
  auto body = json_body(req);
  if (!body) return http::error_response(body.error());
  auto patch = domain::parse_user_patch(*body);
  if (!patch) return http::error_response(patch.error());
  // Locking yourself out of administration is never what was meant.
  const bool demotes = domain::patched_role(domain::Role::admin, *patch) != domain::Role::admin;
  if (*id == caller.user().id && ((patch->is_active && !*patch->is_active) || demotes))
    return http::error_response(core::Error::forbidden("Admins cannot deactivate or demote themselves"));
  storage::UserChanges changes{patch->email, std::nullopt, patch->is_active, patch->is_superuser, patch->role};
  if (patch->password) changes.password_hash = auth::hash_password(*patch->password);
  auto updated = s.users.update(*id, changes, caller.actor());
  s.auth.forget(*id);  // revocation takes effect on the next request
  return user_response(200, updated);
}

Response delete_user(Services& s, const Request& req, const Caller& caller) {
  auto id = path_id(req, "user_id");
  if (!id) return http::error_response(id.error());
  if (*id == caller.user().id) return http::error_response(core::Error::forbidden("Admins cannot delete themselves"));
  auto done = s.users.remove(*id, caller.actor());
  s.auth.forget(*id);
  return done ? http::no_content() : http::error_response(done.error());
}

}  // namespace users

}  // namespace sentinel::api
