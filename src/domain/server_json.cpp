// Server bodies: POST/PATCH /api/v1/servers/ and the GET shape.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "domain/json.hpp"
#include "domain/json_reader.hpp"
#include "domain/json_writer.hpp"

namespace sentinel::domain {

namespace {

using detail::Presence;

constexpr auto name_rule = detail::StringRule::between(1, 255).non_blank();
constexpr auto job_name_rule = detail::StringRule::between(1, 255).non_blank();
constexpr auto instance_rule =
    detail::StringRule::between(0, 255).checked(is_valid_host_port, "Value error, instance must be host:port");
constexpr auto description_rule = detail::StringRule::between(0, 2000);
constexpr auto cadvisor_rule =
    detail::StringRule::between(0, 255).checked(is_valid_host_port, "Value error, cadvisor_instance must be host:port");

const std::initializer_list<std::string_view> read_only = {"id", "created_at", "updated_at"};

}  // namespace

boost::json::value to_json(const Server& s) {
  return boost::json::object{
      {"id", s.id},
      {"name", s.name},
      {"job_name", s.job_name},
      {"instance", s.instance},
      {"is_active", s.is_active},
      {"description", detail::json_of(s.description)},
      {"cadvisor_instance", detail::json_of(s.cadvisor_instance)},
      {"created_at", detail::json_of(s.created_at)},
      {"updated_at", detail::json_of(s.updated_at)},
  };
}

core::Result<ServerCreate> parse_server_create(const boost::json::value& body) {
  auto obj = detail::body_object(body);
  if (!obj) return core::fail(obj.error());
  detail::ObjectReader r(**obj);
  ServerCreate out;
  if (auto v = r.string("name", Presence::required, name_rule)) out.name = std::move(**v);
  if (auto v = r.string("job_name", Presence::required, job_name_rule)) out.job_name = std::move(**v);
  if (auto v = r.string("instance", Presence::required, instance_rule)) out.instance = std::move(**v);
  if (auto v = r.boolean("is_active", Presence::optional)) out.is_active = **v;
  if (auto v = r.string("description", Presence::nullable, description_rule)) out.description = std::move(*v);
  if (auto v = r.string("cadvisor_instance", Presence::nullable, cadvisor_rule)) out.cadvisor_instance = std::move(*v);
  if (auto done = r.finish(read_only); !done) return core::fail(done.error());
  return out;
}

core::Result<ServerPatch> parse_server_patch(const boost::json::value& body) {
  auto obj = detail::body_object(body);
  if (!obj) return core::fail(obj.error());
  detail::ObjectReader r(**obj);
  ServerPatch out;
  if (auto v = r.string("name", Presence::optional, name_rule)) out.name = std::move(**v);
  if (auto v = r.string("job_name", Presence::optional, job_name_rule)) out.job_name = std::move(**v);
  if (auto v = r.string("instance", Presence::optional, instance_rule)) out.instance = std::move(**v);
  if (auto v = r.boolean("is_active", Presence::optional)) out.is_active = **v;
  out.description = r.string("description", Presence::nullable, description_rule);
  out.cadvisor_instance = r.string("cadvisor_instance", Presence::nullable, cadvisor_rule);
  if (auto done = r.finish(read_only); !done) return core::fail(done.error());
  return out;
}

}  // namespace sentinel::domain
