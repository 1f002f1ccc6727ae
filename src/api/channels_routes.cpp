// /api/v1/alerts/channels: notification channels as data (product.md §9).
// Secret settings are write-only: every answer shows them as "***".
#include <algorithm>
#include <boost/json/array.hpp>

#include "api/authenticated.hpp"
#include "api/handlers.hpp"
#include "api/request_parsing.hpp"
#include "api/services.hpp"
#include "domain/channel.hpp"
#include "http/router.hpp"
#include "domain/notification_delivery.hpp"
#include "storage/channel_repository.hpp"
#include "storage/outbox_repository.hpp"

namespace sentinel::api {

namespace channels {

using http::Request;
using http::Response;

namespace {

Response channel_response(int status, const core::Result<domain::Channel>& r) {
  return http::respond(r,
                       [status](const domain::Channel& v) { return http::json_response(status, domain::to_json(v)); });
}

// ?type= must name a channel type, like the body's `type`.
core::Result<std::optional<std::string>> type_filter(const Request& req) {
  auto raw = req.query_param("type");
  if (!raw) return std::optional<std::string>{};
  const auto types = domain::channel_types();
  if (std::find(types.begin(), types.end(), *raw) == types.end())
    return core::fail(core::Error::invalid_field({"query", "type"}, "Input should be a channel type", "literal_error"));
  return std::optional<std::string>(std::string(*raw));
}

}  // namespace

Response list_channels(Services& s, const Request& req) {
  auto page = paging(req);
  auto type = type_filter(req);
  std::vector<core::FieldError> errors;
  if (!page) collect(errors, page.error());
  if (!type) collect(errors, type.error());
  if (!errors.empty()) return http::error_response(core::Error::invalid(std::move(errors)));
  boost::json::array out;
  for (const auto& channel : s.channels.list({*type, page->skip, page->limit})) out.push_back(domain::to_json(channel));
  return http::json_response(200, out);
}

Response create_channel(Services& s, const Request& req, const Caller& caller) {
  auto body = json_body(req);
  if (!body) return http::error_response(body.error());
  auto input = domain::parse_channel_create(*body);
  if (!input) return http::error_response(input.error());
  return channel_response(201, s.channels.create(*input, caller.actor()));
}

Response get_channel(Services& s, const Request& req) {
  auto id = path_id(req, "channel_id");
  if (!id) return http::error_response(id.error());
  return channel_response(200, s.channels.get(*id));
}

Response channel_deliveries(Services& s, const Request& req) {
  auto id = path_id(req, "channel_id");
  if (!id) return http::error_response(id.error());
  auto limit = query_int(req, "limit");
  if (!limit) return http::error_response(limit.error());
  const std::int64_t n = limit->value_or(20);
  if (n < 1 || n > 200)
    return http::error_response(core::Error::invalid_field({"query", "limit"}, "must be between 1 and 200", "value_error"));
  auto channel = s.channels.get(*id);
  if (!channel) return http::error_response(channel.error());
  boost::json::array out;
  for (const auto& d : s.outbox.for_channel(*id, n)) out.push_back(domain::to_json(d));
  return http::json_response(200, out);
}

Response update_channel(Services& s, const Request& req, const Caller& caller) {
  auto id = path_id(req, "channel_id");
  if (!id) return http::error_response(id.error());
  auto body = json_body(req);
  if (!body) return http::error_response(body.error());
  auto patch = domain::parse_channel_patch(*body);
  if (!patch) return http::error_response(patch.error());
  return channel_response(200, s.channels.update(*id, *patch, caller.actor()));
}

Response delete_channel(Services& s, const Request& req, const Caller& caller) {
  auto id = path_id(req, "channel_id");
  if (!id) return http::error_response(id.error());
  auto done = s.channels.remove(*id, caller.actor());
  return done ? http::no_content() : http::error_response(done.error());
}

}  // namespace channels

}  // namespace sentinel::api
