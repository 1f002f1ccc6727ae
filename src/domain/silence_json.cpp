// Silence bodies: POST /api/v1/alerts/silences/ and the GET shape.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "domain/json.hpp"
#include "domain/json_reader.hpp"
#include "domain/json_writer.hpp"

namespace sentinel::domain {

namespace {

using detail::Presence;

const detail::IntRule id_rule{1, std::nullopt};
constexpr auto comment_rule = detail::StringRule::between(0, 2000);

}  // namespace

boost::json::value to_json(const Silence& s) {
  return boost::json::object{
      {"id", s.id},
      {"server_id", detail::json_of(s.server_id)},
      {"rule_id", detail::json_of(s.rule_id)},
      {"starts_at", detail::json_of(s.starts_at)},
      {"ends_at", detail::json_of(s.ends_at)},
      {"comment", s.comment},
      {"created_by", detail::json_of(s.created_by)},
      {"created_at", detail::json_of(s.created_at)},
  };
}

core::Result<SilenceCreate> parse_silence_create(const boost::json::value& body) {
  auto obj = detail::body_object(body);
  if (!obj) return core::fail(obj.error());
  detail::ObjectReader r(**obj);
  SilenceCreate out;
  if (auto v = r.integer("server_id", Presence::nullable, id_rule)) out.server_id = *v;
  if (auto v = r.integer("rule_id", Presence::nullable, id_rule)) out.rule_id = *v;
  // Absent or null: the caller starts the silence now.
  if (auto v = r.datetime("starts_at", Presence::nullable)) out.starts_at = *v;
  const auto ends_at = r.datetime("ends_at", Presence::required);
  if (ends_at) out.ends_at = **ends_at;
  if (auto v = r.string("comment", Presence::optional, comment_rule)) out.comment = std::move(**v);
  if (ends_at && out.starts_at && out.ends_at <= *out.starts_at)
    r.add_error("ends_at", detail::value_error_msg("ends_at must be after starts_at"), "value_error");
  if (auto done = r.finish({"id", "created_by", "created_at"}); !done) return core::fail(done.error());
  return out;
}

}  // namespace sentinel::domain
