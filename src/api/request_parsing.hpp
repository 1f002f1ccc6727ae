#pragma once
// Reading what a client sent: path ids, query parameters, JSON bodies.
// Failures are 422s in FastAPI's shape (loc ["path"|"query"|"body", name]),
// or 415 for a body that is not JSON.
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "core/time.hpp"
#include "http/message.hpp"

namespace sentinel::api {

struct Paging {
  std::int64_t skip = 0;
  std::int64_t limit = 100;
};

core::Result<std::int64_t> path_id(const http::Request& req, std::string_view name);
core::Result<Paging> paging(const http::Request& req);  // skip ≥ 0, 1 ≤ limit ≤ 1000
core::Result<std::optional<bool>> query_bool(const http::Request& req, std::string_view name);
core::Result<std::optional<std::int64_t>> query_int(const http::Request& req, std::string_view name);
// RFC 3339 or whole Unix seconds, within 1970-01-01..9999-12-31 (else 422).
core::Result<std::optional<core::Timestamp>> query_time(const http::Request& req, std::string_view name);

// The times a query string may hold: 1970-01-01T00:00:00Z..9999-12-31T23:59:59Z.
inline constexpr std::int64_t min_unix_time = 0;
inline constexpr std::int64_t max_unix_time = 253402300799;

// Unix seconds (fractions allowed) or RFC 3339, as Prometheus accepts; 422
// unless finite and within min_unix_time..max_unix_time.
core::Result<std::optional<double>> query_unix_seconds(const http::Request& req, std::string_view name);

// Seconds ("15", "0.5") or a Prometheus duration ("15s", "5m", "1h"); 422
// unless positive and at most `max_seconds`.
core::Result<std::optional<double>> query_duration(const http::Request& req, std::string_view name,
                                                   double max_seconds);

// 415 unless Content-Type is application/json (or absent), then the parse.
core::Result<boost::json::value> json_body(const http::Request& req);

// Collects the errors of several Results into one 422 (every bad field).
void collect(std::vector<core::FieldError>& into, const core::Error& e);

}  // namespace sentinel::api
