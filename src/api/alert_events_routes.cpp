// /api/v1/alerts/events: the alert history (written by the alert engine).
#include <boost/json/array.hpp>

#include "api/authenticated.hpp"
#include "api/request_parsing.hpp"
#include "api/handlers.hpp"
#include "api/services.hpp"
#include "domain/json.hpp"
#include "http/router.hpp"
#include "domain/notification_delivery.hpp"
#include "storage/alert_event_repository.hpp"
#include "storage/outbox_repository.hpp"

namespace sentinel::api {

namespace events {

using http::Request;
using http::Response;

Response event_response(const core::Result<domain::AlertEvent>& r) {
  return http::respond(r, [](const domain::AlertEvent& v) { return http::json_response(200, domain::to_json(v)); });
}

Response list_events(Services& s, const Request& req) {
  auto page = paging(req);
  auto rule_id = query_int(req, "rule_id");
  auto server_id = query_int(req, "server_id");
  auto since = query_time(req, "since");
  std::vector<core::FieldError> errors;
  if (!page) collect(errors, page.error());
  if (!rule_id) collect(errors, rule_id.error());
  if (!server_id) collect(errors, server_id.error());
  if (!since) collect(errors, since.error());
  std::optional<std::string> status;
  if (auto raw = req.query_param("status")) {
    if (*raw != "firing" && *raw != "resolved")
      errors.push_back({{"query", "status"}, "Input should be 'firing' or 'resolved'", "literal_error"});
    else
      status = std::string(*raw);
  }
  if (!errors.empty()) return http::error_response(core::Error::invalid(std::move(errors)));
  domain::AlertEventFilter filter{status, *rule_id, *server_id, *since, page->skip, page->limit};
  boost::json::array out;
  for (const auto& e : s.events.list(filter)) out.push_back(domain::to_json(e));
  return http::json_response(200, out);
}

Response get_event(Services& s, const Request& req) {
  auto id = path_id(req, "event_id");
  if (!id) return http::error_response(id.error());
  auto event = s.events.get(*id);
  if (!event) return http::error_response(event.error());
  // One event's page also says where its notifications went (product.md §9).
  auto body = domain::to_json(*event).as_object();
  boost::json::array notifications;
  for (const auto& d : s.outbox.for_event(*id)) notifications.push_back(domain::to_json(d));
  body["notifications"] = std::move(notifications);
  return http::json_response(200, body);
}

Response ack_event(Services& s, const Request& req, const Caller& caller) {
  auto id = path_id(req, "event_id");
  if (!id) return http::error_response(id.error());
  return event_response(s.events.acknowledge(*id, caller.actor()));
}

}  // namespace events

}  // namespace sentinel::api
