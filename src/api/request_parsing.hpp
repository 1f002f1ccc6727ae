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
core::Result<std::optional<core::Timestamp>> query_time(const http::Request& req, std::string_view name);

// 415 unless Content-Type is application/json (or absent), then the parse.
core::Result<boost::json::value> json_body(const http::Request& req);

// Collects the errors of several Results into one 422 (every bad field).
void collect(std::vector<core::FieldError>& into, const core::Error& e);

}  // namespace sentinel::api
