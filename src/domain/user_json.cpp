// User bodies: POST/PATCH /api/v1/users/ and the GET shape.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "domain/json.hpp"
#include "domain/json_reader.hpp"
#include "domain/json_writer.hpp"

namespace sentinel::domain {

namespace {

using detail::Presence;

// Emails are unique case-insensitively: stored and compared lower-cased.
std::string ascii_lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

constexpr auto email_rule = detail::StringRule{}.checked(is_valid_email, "value is not a valid email address");
// Upper bound keeps Argon2id's input (and the request) reasonable.
constexpr auto password_rule = detail::StringRule::between(8, 256);

}  // namespace

boost::json::value to_json(const User& u) {
  return boost::json::object{
      {"id", u.id},
      {"email", u.email},
      {"is_active", u.is_active},
      {"is_superuser", u.is_superuser()},
      {"role", to_string(u.role)},
      {"created_at", detail::json_of(u.created_at)},
  };
}

core::Result<UserCreate> parse_user_create(const boost::json::value& body) {
  auto obj = detail::body_object(body);
  if (!obj) return core::fail(obj.error());
  detail::ObjectReader r(**obj);
  UserCreate out;
  if (auto v = r.string("email", Presence::required, email_rule)) out.email = ascii_lower(std::move(**v));
  if (auto v = r.string("password", Presence::required, password_rule)) out.password = std::move(**v);
  if (auto v = r.boolean("is_active", Presence::optional)) out.is_active = **v;
  if (auto v = r.boolean("is_superuser", Presence::optional)) out.is_superuser = **v;
  if (auto v = r.choice("role", Presence::optional, {"viewer", "editor", "admin"})) out.role = parse_role(**v);
  if (auto done = r.finish({"id", "created_at", "updated_at"}); !done) return core::fail(done.error());
  if (out.role && (*out.role == Role::admin) != out.is_superuser && obj.value()->contains("is_superuser"))
    return core::fail(core::Error::invalid_field({"body", "role"}, "role and is_superuser disagree", "value_error"));
  return out;
}

core::Result<UserPatch> parse_user_patch(const boost::json::value& body) {
  auto obj = detail::body_object(body);
  if (!obj) return core::fail(obj.error());
  detail::ObjectReader r(**obj);
  UserPatch out;
  if (auto v = r.string("email", Presence::optional, email_rule)) out.email = ascii_lower(std::move(**v));
  if (auto v = r.string("password", Presence::optional, password_rule)) out.password = std::move(**v);
  if (auto v = r.boolean("is_active", Presence::optional)) out.is_active = **v;
  if (auto v = r.boolean("is_superuser", Presence::optional)) out.is_superuser = **v;
  if (auto v = r.choice("role", Presence::optional, {"viewer", "editor", "admin"})) out.role = parse_role(**v);
  if (auto done = r.finish({"id", "created_at", "updated_at"}); !done) return core::fail(done.error());
  if (out.role && out.is_superuser && (*out.role == Role::admin) != *out.is_superuser)
    return core::fail(core::Error::invalid_field({"body", "role"}, "role and is_superuser disagree", "value_error"));
  return out;
}

}  // namespace sentinel::domain
