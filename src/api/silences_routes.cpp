// /api/v1/alerts/silences: time windows that mute notifications.
#include <boost/json/array.hpp>

#include "api/authenticated.hpp"
#include "api/request_parsing.hpp"
#include "api/handlers.hpp"
#include "api/services.hpp"
#include "domain/json.hpp"
#include "http/router.hpp"
#include "storage/alert_rule_repository.hpp"
#include "storage/server_repository.hpp"
#include "storage/silence_repository.hpp"

namespace sentinel::api {

namespace silences {

using http::Request;
using http::Response;

Response list_silences(Services& s, const Request& req) {
  auto page = paging(req);
  auto active = query_bool(req, "active");
  std::vector<core::FieldError> errors;
  if (!page) collect(errors, page.error());
  if (!active) collect(errors, active.error());
  if (!errors.empty()) return http::error_response(core::Error::invalid(std::move(errors)));
  boost::json::array out;
  for (const auto& silence : s.silences.list({active->value_or(false), page->skip, page->limit}))
    out.push_back(domain::to_json(silence));
  return http::json_response(200, out);
}

Response create_silence(Services& s, const Request& req, const Caller& caller) {
  auto body = json_body(req);
  if (!body) return http::error_response(body.error());
  auto input = domain::parse_silence_create(*body);
  if (!input) return http::error_response(input.error());
  std::vector<core::FieldError> errors;
  if (input->server_id && !s.servers.exists(*input->server_id))
    errors.push_back({{"body", "server_id"}, "Server not found", "value_error"});
  if (input->rule_id && !s.rules.get(*input->rule_id))
    errors.push_back({{"body", "rule_id"}, "Alert rule not found", "value_error"});
  // A silence that is already over when created mutes nothing: a mistake.
  if (!input->starts_at && input->ends_at <= core::system_now())
    errors.push_back({{"body", "ends_at"}, "Value error, ends_at must be in the future", "value_error"});
  if (!errors.empty()) return http::error_response(core::Error::invalid(std::move(errors)));
  return http::respond(s.silences.create(*input, caller.actor()),
                       [](const domain::Silence& v) { return http::json_response(201, domain::to_json(v)); });
}

Response delete_silence(Services& s, const Request& req, const Caller& caller) {
  auto id = path_id(req, "silence_id");
  if (!id) return http::error_response(id.error());
  auto done = s.silences.remove(*id, caller.actor());
  return done ? http::no_content() : http::error_response(done.error());
}

}  // namespace silences

}  // namespace sentinel::api
