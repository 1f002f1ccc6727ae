// API token bodies: POST /api/v1/auth/tokens and the GET shape (never the secret).
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "domain/json.hpp"
#include "domain/json_reader.hpp"
#include "domain/json_writer.hpp"

namespace sentinel::domain {

using detail::Presence;

boost::json::value to_json(const ApiToken& t) {
  return boost::json::object{
      {"id", t.id},
      {"name", t.name},
      {"role", to_string(t.role)},
      {"user_id", t.user_id},
      {"created_at", detail::json_of(t.created_at)},
      {"expires_at", detail::json_of(t.expires_at)},
      {"last_used_at", detail::json_of(t.last_used_at)},
  };
}

core::Result<ApiTokenCreate> parse_api_token_create(const boost::json::value& body, core::Timestamp now) {
  auto obj = detail::body_object(body);
  if (!obj) return core::fail(obj.error());
  detail::ObjectReader r(**obj);
  ApiTokenCreate out;
  if (auto v = r.string("name", Presence::required, detail::StringRule::between(1, 255).non_blank()))
    out.name = std::move(**v);
  if (auto v = r.choice("role", Presence::nullable, {"viewer", "editor", "admin"}); v && *v)
    out.role = parse_role(**v);
  if (auto v = r.datetime("expires_at", Presence::nullable); v && *v) {
    if (**v <= now)
      r.add_error("expires_at", detail::value_error_msg("expires_at must be in the future"), "value_error");
    else
      out.expires_at = **v;
  }
  if (auto done = r.finish({"id", "user_id", "token", "created_at", "last_used_at"}); !done)
    return core::fail(done.error());
  return out;
}

}  // namespace sentinel::domain
