// /api/v1/alerts/rules: PromQL alert rules. Validation against Prometheus
// (bad_data → 422) arrives with the Prometheus integration; here the rule's
// own fields and references are checked.
#include <boost/json/array.hpp>

#include "api/authenticated.hpp"
#include "api/request_parsing.hpp"
#include "api/services.hpp"
#include "domain/json.hpp"
#include "http/router.hpp"
#include "storage/alert_rule_repository.hpp"
#include "storage/server_repository.hpp"

namespace sentinel::api {

namespace {

using http::Request;
using http::Response;

Response rule_response(int status, const core::Result<domain::AlertRule>& r) {
  return http::respond(r,
                       [status](const domain::AlertRule& v) { return http::json_response(status, domain::to_json(v)); });
}

// A rule may only point at a server that exists: 422 on body.server_id.
core::Result<void> check_server_exists(Services& s, const std::optional<std::int64_t>& server_id) {
  if (server_id && !s.servers.exists(*server_id))
    return core::fail(core::Error::invalid_field({"body", "server_id"}, "Server not found", "value_error"));
  return {};
}

Response list_rules(Services& s, const Request& req) {
  auto page = paging(req);
  auto server_id = query_int(req, "server_id");
  auto is_active = query_bool(req, "is_active");
  std::vector<core::FieldError> errors;
  if (!page) collect(errors, page.error());
  if (!server_id) collect(errors, server_id.error());
  if (!is_active) collect(errors, is_active.error());
  if (!errors.empty()) return http::error_response(core::Error::invalid(std::move(errors)));
  boost::json::array out;
  for (const auto& rule : s.rules.list({*server_id, *is_active, page->skip, page->limit}))
    out.push_back(domain::to_json(rule));
  return http::json_response(200, out);
}

Response create_rule(Services& s, const Request& req) {
  auto body = json_body(req);
  if (!body) return http::error_response(body.error());
  auto input = domain::parse_alert_rule_create(*body);
  if (!input) return http::error_response(input.error());
  const auto candidate = domain::make_rule(*input);
  if (auto ok = domain::validate_alert_rule(candidate); !ok) return http::error_response(ok.error());
  if (auto ok = check_server_exists(s, input->server_id); !ok) return http::error_response(ok.error());
  return rule_response(201, s.rules.create(*input));
}

Response get_rule(Services& s, const Request& req) {
  auto id = path_id(req, "rule_id");
  if (!id) return http::error_response(id.error());
  return rule_response(200, s.rules.get(*id));
}

Response update_rule(Services& s, const Request& req) {
  auto id = path_id(req, "rule_id");
  if (!id) return http::error_response(id.error());
  auto body = json_body(req);
  if (!body) return http::error_response(body.error());
  auto patch = domain::parse_alert_rule_patch(*body);
  if (!patch) return http::error_response(patch.error());
  auto current = s.rules.get(*id);
  if (!current) return http::error_response(current.error());
  const auto merged = domain::apply_patch(*current, *patch);
  if (auto ok = domain::validate_alert_rule(merged); !ok) return http::error_response(ok.error());
  if (patch->server_id)
    if (auto ok = check_server_exists(s, merged.server_id); !ok) return http::error_response(ok.error());
  return rule_response(200, s.rules.update(merged));
}

Response delete_rule(Services& s, const Request& req) {
  auto id = path_id(req, "rule_id");
  if (!id) return http::error_response(id.error());
  auto done = s.rules.remove(*id);
  return done ? http::no_content() : http::error_response(done.error());
}

}  // namespace

void register_alert_rule_routes(http::Router& r, Services& s) {
  r.add("GET", "/api/v1/alerts/rules/", user_route(s, list_rules));
  r.add("POST", "/api/v1/alerts/rules/", user_route(s, create_rule));
  r.add("GET", "/api/v1/alerts/rules/{rule_id}", user_route(s, get_rule));
  r.add("PATCH", "/api/v1/alerts/rules/{rule_id}", user_route(s, update_rule));
  r.add("DELETE", "/api/v1/alerts/rules/{rule_id}", user_route(s, delete_rule));
}

}  // namespace sentinel::api
