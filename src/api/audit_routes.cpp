// /api/v1/audit: who changed what (admins; see api/routes.cpp).
#include <boost/json/array.hpp>

#include "api/authenticated.hpp"
#include "api/handlers.hpp"
#include "api/request_parsing.hpp"
#include "storage/audit_repository.hpp"

namespace sentinel::api::audit_api {

http::Response list_entries(Services& s, const http::Request& req) {
  auto page = paging(req);
  auto actor_id = query_int(req, "actor_id");
  auto since = query_time(req, "since");
  std::vector<core::FieldError> errors;
  if (!page) collect(errors, page.error());
  if (!actor_id) collect(errors, actor_id.error());
  if (!since) collect(errors, since.error());
  if (!errors.empty()) return http::error_response(core::Error::invalid(std::move(errors)));
  auto text = [&req](std::string_view name) -> std::optional<std::string> {
    auto v = req.query_param(name);
    if (!v || v->empty()) return std::nullopt;
    return std::string(v->substr(0, 255));
  };
  domain::AuditFilter filter{*actor_id, text("action"), text("target_type"), text("target_id"), *since,
                             page->skip, page->limit};
  boost::json::array out;
  for (const auto& e : s.audit.list(filter)) out.push_back(domain::to_json(e));
  return http::json_response(200, out);
}

}  // namespace sentinel::api::audit_api
