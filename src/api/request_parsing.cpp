#include "api/request_parsing.hpp"

#include <charconv>
#include <string>

#include "domain/json.hpp"

namespace sentinel::api {

namespace {

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t v = 0;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

core::Error int_error(std::string where, std::string_view name) {
  return core::Error::invalid_field({std::move(where), std::string(name)},
                                    "Input should be a valid integer, unable to parse string as an integer",
                                    "int_parsing");
}

}  // namespace

core::Result<std::int64_t> path_id(const http::Request& req, std::string_view name) {
  auto raw = req.path_param(name);
  auto v = raw ? to_int(*raw) : std::nullopt;
  if (!v) return core::fail(int_error("path", name));
  return *v;
}

core::Result<std::optional<std::int64_t>> query_int(const http::Request& req, std::string_view name) {
  auto raw = req.query_param(name);
  if (!raw) return std::optional<std::int64_t>{};
  auto v = to_int(*raw);
  if (!v) return core::fail(int_error("query", name));
  return v;
}

core::Result<std::optional<bool>> query_bool(const http::Request& req, std::string_view name) {
  auto raw = req.query_param(name);
  if (!raw) return std::optional<bool>{};
  std::string v(*raw);
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v == "true" || v == "1" || v == "yes" || v == "on") return std::optional<bool>{true};
  if (v == "false" || v == "0" || v == "no" || v == "off") return std::optional<bool>{false};
  return core::fail(core::Error::invalid_field({"query", std::string(name)},
                                               "Input should be a valid boolean, unable to interpret input",
                                               "bool_parsing"));
}

core::Result<std::optional<core::Timestamp>> query_time(const http::Request& req, std::string_view name) {
  auto raw = req.query_param(name);
  if (!raw) return std::optional<core::Timestamp>{};
  auto t = core::parse_iso8601(*raw);
  if (!t) {
    // Unix seconds are accepted too, as Prometheus does.
    if (auto secs = to_int(*raw)) return std::optional<core::Timestamp>{core::from_unix(*secs)};
    return core::fail(core::Error::invalid_field({"query", std::string(name)}, "Input should be a valid datetime",
                                                 "datetime_parsing"));
  }
  return t;
}

void collect(std::vector<core::FieldError>& into, const core::Error& e) {
  if (e.kind == core::ErrorKind::invalid) into.insert(into.end(), e.fields.begin(), e.fields.end());
}

core::Result<Paging> paging(const http::Request& req) {
  Paging p;
  std::vector<core::FieldError> errors;
  if (auto skip = query_int(req, "skip"); !skip) {
    collect(errors, skip.error());
  } else if (*skip) {
    if (**skip < 0)
      errors.push_back({{"query", "skip"}, "Input should be greater than or equal to 0", "greater_than_equal"});
    else
      p.skip = **skip;
  }
  if (auto limit = query_int(req, "limit"); !limit) {
    collect(errors, limit.error());
  } else if (*limit) {
    if (**limit < 1)
      errors.push_back({{"query", "limit"}, "Input should be greater than or equal to 1", "greater_than_equal"});
    else if (**limit > 1000)
      errors.push_back({{"query", "limit"}, "Input should be less than or equal to 1000", "less_than_equal"});
    else
      p.limit = **limit;
  }
  if (!errors.empty()) return core::fail(core::Error::invalid(std::move(errors)));
  return p;
}

core::Result<boost::json::value> json_body(const http::Request& req) {
  if (auto ct = req.header("Content-Type")) {
    const auto semi = ct->find(';');
    auto media = ct->substr(0, semi);
    while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
    if (!http::iequals(media, "application/json"))
      return core::fail(core::Error{core::ErrorKind::unsupported_media_type,
                                    "Unsupported media type: expected application/json", {}, 0});
  }
  return domain::parse_json_body(req.body);
}

}  // namespace sentinel::api
