#pragma once
// The one place where errors become HTTP responses (style rule 3).
#include <boost/json/fwd.hpp>
#include <string_view>

#include "core/error.hpp"
#include "http/message.hpp"

namespace sentinel::http {

int status_of(core::ErrorKind kind);

// FastAPI-shaped bodies: {"detail": "..."} or, for 422, {"detail": [{loc,
// msg, type}, ...]}. 401 carries WWW-Authenticate: Bearer, 429 Retry-After.
// A 500 never shows `detail` (logged by the caller instead).
Response error_response(const core::Error& error);

Response json_response(int status, const boost::json::value& body);
Response no_content();

// Turns a Result into either `ok(value)` or the error response.
template <class T, class F>
Response respond(const core::Result<T>& result, F&& ok) {
  if (!result) return error_response(result.error());
  return ok(*result);
}

}  // namespace sentinel::http
