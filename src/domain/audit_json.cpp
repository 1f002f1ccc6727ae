// The audit log's JSON: an entry's shape, and the [old, new] changes of an
// update with secrets masked.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string_view>

#include "domain/audit.hpp"
#include "domain/json_writer.hpp"

namespace sentinel::domain {

namespace {

bool is_secret_field(std::string_view key) {
  return key.find("password") != std::string_view::npos || key == "token" || key == "token_hash" ||
         key.find("secret") != std::string_view::npos || key == "bot_token" || key == "routing_key";
}

}  // namespace

boost::json::object audit_changes(const boost::json::object& before, const boost::json::object& after) {
  boost::json::object out;
  auto add = [&out](std::string_view key, const boost::json::value& old_value, const boost::json::value& new_value) {
    if (is_secret_field(key)) {
      out[key] = boost::json::array{old_value.is_null() ? boost::json::value(nullptr) : boost::json::value("***"),
                                    new_value.is_null() ? boost::json::value(nullptr) : boost::json::value("***")};
    } else {
      out[key] = boost::json::array{old_value, new_value};
    }
  };
  static const boost::json::value null_value;
  for (const auto& [key, old_value] : before) {
    const auto* new_value = after.if_contains(key);
    if (!new_value) new_value = &null_value;
    if (*new_value != old_value) add(key, old_value, *new_value);
  }
  for (const auto& [key, new_value] : after)
    if (!before.contains(key) && !new_value.is_null()) add(key, null_value, new_value);
  return out;
}

boost::json::value to_json(const AuditEntry& e) {
  return boost::json::object{
      {"id", e.id},
      {"at", detail::json_of(e.at)},
      {"actor_id", detail::json_of(e.actor.actor_id)},
      {"actor_email", e.actor.actor_email},
      {"via", e.actor.via},
      {"token_id", detail::json_of(e.actor.token_id)},
      {"action", e.action},
      {"target_type", e.target_type},
      {"target_id", detail::json_of(e.target_id)},
      {"client_address", e.actor.client_address},
      {"request_id", e.actor.request_id},
      {"changes", e.changes},
  };
}

}  // namespace sentinel::domain
