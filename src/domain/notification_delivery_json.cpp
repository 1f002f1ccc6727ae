#include <boost/json/object.hpp>

#include "domain/json.hpp"
#include "domain/json_writer.hpp"
#include "domain/notification_delivery.hpp"

namespace sentinel::domain {

boost::json::value to_json(const NotificationDelivery& d) {
  return boost::json::object{
      {"channel_id", detail::json_of(d.channel_id)},
      {"channel", d.channel},
      {"type", d.type},
      {"event_id", d.event_id},
      {"rule_id", detail::json_of(d.rule_id)},
      {"rule_name", d.rule_name},
      {"kind", d.kind},
      {"status", d.status},
      {"attempts", d.attempts},
      {"last_error", detail::json_of(d.last_error)},
      {"sent_at", detail::json_of(d.sent_at)},
      {"next_attempt_at", detail::json_of(d.next_attempt_at)},
      {"created_at", detail::json_of(d.created_at)},
  };
}

}  // namespace sentinel::domain
