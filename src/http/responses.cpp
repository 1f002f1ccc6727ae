#include "http/responses.hpp"

#include "http/json_text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <string>

namespace sentinel::http {

int status_of(core::ErrorKind kind) {
  using K = core::ErrorKind;
  switch (kind) {
    case K::invalid: return 422;
    case K::unauthorized: return 401;
    case K::forbidden: return 403;
    case K::not_found: return 404;
    case K::method_not_allowed: return 405;
    case K::conflict: return 409;
    case K::payload_too_large: return 413;
    case K::unsupported_media_type: return 415;
    case K::rate_limited: return 429;
    case K::bad_gateway: return 502;
    case K::unavailable: return 503;
    case K::timeout: return 504;
    case K::internal: return 500;
  }
  return 500;
}

Response json_response(int status, const boost::json::value& body) {
  Response r;
  r.status = status;
  r.body = to_json_text(body);
  return r;
}

Response no_content() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Response error_response(const core::Error& error) {
  const int status = status_of(error.kind);
  boost::json::object body;
  if (error.kind == core::ErrorKind::invalid && error.fields.empty() && !error.detail.empty()) {
    body["detail"] = error.detail;  // about the request as a whole: {"detail": "result too large; ..."}
  } else if (error.kind == core::ErrorKind::invalid) {
    boost::json::array detail;
    for (const auto& f : error.fields) {
      boost::json::array loc;
      for (const auto& l : f.loc) loc.emplace_back(l);
      detail.emplace_back(boost::json::object{{"loc", std::move(loc)}, {"msg", f.msg}, {"type", f.type}});
    }
    body["detail"] = std::move(detail);
  } else if (error.kind == core::ErrorKind::internal) {
    body["detail"] = "Internal Server Error";
  } else {
    body["detail"] = error.detail;
  }
  Response r = json_response(status, body);
  if (error.kind == core::ErrorKind::unauthorized) r.set_header("WWW-Authenticate", "Bearer");
  if (error.kind == core::ErrorKind::rate_limited)
    r.set_header("Retry-After", std::to_string(error.retry_after_sec > 0 ? error.retry_after_sec : 1));
  return r;
}

}  // namespace sentinel::http
