#pragma once
#include <expected>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sentinel::core {

// Expected failures are values (style rule 3). Each kind maps to exactly one
// HTTP status in http/responses.cpp; nothing else decides status codes.
enum class ErrorKind {
  invalid,                 // 422, `fields` lists every bad field
  unauthorized,            // 401
  forbidden,               // 403
  not_found,               // 404
  method_not_allowed,      // 405
  conflict,                // 409
  payload_too_large,       // 413
  unsupported_media_type,  // 415
  rate_limited,            // 429, `retry_after_sec`
  bad_gateway,             // 502
  unavailable,             // 503
  timeout,                 // 504
  internal,                // 500, `detail` is never shown to the client
};

// One entry of a FastAPI/pydantic-style 422 body: {"loc", "msg", "type"}.
// `loc` holds strings; array indices are written as decimal strings.
struct FieldError {
  std::vector<std::string> loc;
  std::string msg;
  std::string type;
};

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string detail;
  std::vector<FieldError> fields;
  int retry_after_sec = 0;

  static Error invalid(std::vector<FieldError> f) { return {ErrorKind::invalid, {}, std::move(f), 0}; }
  static Error invalid_field(std::vector<std::string> loc, std::string msg, std::string type) {
    return invalid({FieldError{std::move(loc), std::move(msg), std::move(type)}});
  }
  static Error unauthorized(std::string d = "Could not validate credentials") {
    return {ErrorKind::unauthorized, std::move(d), {}, 0};
  }
  static Error forbidden(std::string d) { return {ErrorKind::forbidden, std::move(d), {}, 0}; }
  static Error not_found(std::string d) { return {ErrorKind::not_found, std::move(d), {}, 0}; }
  static Error conflict(std::string d) { return {ErrorKind::conflict, std::move(d), {}, 0}; }
  static Error rate_limited(int retry_after, std::string d = "Too many requests") {
    return {ErrorKind::rate_limited, std::move(d), {}, retry_after};
  }
  static Error unavailable(std::string d) { return {ErrorKind::unavailable, std::move(d), {}, 0}; }
  static Error internal(std::string d) { return {ErrorKind::internal, std::move(d), {}, 0}; }
};

// Infrastructure failure of a dependency (database down, ...): thrown, not
// returned, and mapped to 503 at the HTTP dispatch boundary with what().
class DependencyUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class T>
using Result = std::expected<T, Error>;

// Shorthand for returning a failure from a function returning Result<T>.
inline std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(std::move(e)); }

}  // namespace sentinel::core
