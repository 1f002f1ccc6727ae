// Request targets, query strings and form bodies, and every query-parameter
// reader of the API edge (api/request_parsing): never a crash, and every
// number that passes is finite and in range.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/request_parsing.hpp"
#include "http/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sentinel;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)http::parse_form(text);
  auto split = http::split_target(std::string("/api/v1/x?") + std::string(text));
  (void)http::split_target(text);
  if (!split) return 0;
  http::Request req;
  req.path = split->first;
  req.query = split->second;
  (void)api::paging(req);
  for (const char* name : {"is_active", "active"}) (void)api::query_bool(req, name);
  for (const char* name : {"server_id", "rule_id"}) (void)api::query_int(req, name);
  if (auto t = api::query_time(req, "since"); t && *t) {
    const auto unix = core::to_unix(**t);
    if (unix < api::min_unix_time || unix > api::max_unix_time) std::abort();
  }
  for (const char* name : {"time", "start", "end"}) {
    if (auto v = api::query_unix_seconds(req, name); v && *v) {
      if (!std::isfinite(**v) || **v < 0 || **v > static_cast<double>(api::max_unix_time)) std::abort();
    }
  }
  if (auto step = api::query_duration(req, "step", 86400); step && *step) {
    if (!(**step > 0) || **step > 86400) std::abort();
  }
  return 0;
}
