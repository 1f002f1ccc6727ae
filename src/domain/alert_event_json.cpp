// The AlertEvent shape of GET /api/v1/alerts/events/ and WS /ws/events.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "domain/json.hpp"
#include "domain/json_writer.hpp"

namespace sentinel::domain {

boost::json::value to_json(const AlertEvent& e) {
  boost::json::object labels;
  for (const auto& [name, value] : e.labels) labels[name] = value;
  return boost::json::object{
      {"id", e.id},
      {"rule_id", detail::json_of(e.rule_id)},
      {"server_id", detail::json_of(e.server_id)},
      {"rule_name", e.rule_name},
      {"status", e.status},
      {"severity", e.severity},
      {"value", detail::json_of(e.value)},
      {"threshold", detail::json_of(e.threshold)},
      {"comparison", detail::json_of(e.comparison)},
      {"labels", std::move(labels)},
      {"message", e.message},
      {"started_at", detail::json_of(e.started_at)},
      {"resolved_at", detail::json_of(e.resolved_at)},
      {"last_notified_at", detail::json_of(e.last_notified_at)},
      {"notification_status", e.notification_status},
      {"acknowledged", e.acknowledged},
      {"created_at", detail::json_of(e.created_at)},
  };
}

}  // namespace sentinel::domain
