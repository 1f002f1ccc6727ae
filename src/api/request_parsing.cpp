#include "api/request_parsing.hpp"

#include <charconv>
#include <cmath>
#include <string>

#include "core/number_format.hpp"
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

std::optional<double> to_double(std::string_view s) {
  double v = 0;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

core::Error time_range_error(std::string_view name) {
  return core::Error::invalid_field({"query", std::string(name)},
                                    "Input should be a time between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z",
                                    "datetime_range");
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
    if (auto secs = to_int(*raw)) t = core::from_unix(*secs);
    else
      return core::fail(core::Error::invalid_field({"query", std::string(name)}, "Input should be a valid datetime",
                                                   "datetime_parsing"));
  }
  if (core::to_unix(*t) < min_unix_time || core::to_unix(*t) > max_unix_time) return core::fail(time_range_error(name));
  return t;
}

core::Result<std::optional<double>> query_unix_seconds(const http::Request& req, std::string_view name) {
  auto raw = req.query_param(name);
  if (!raw) return std::optional<double>{};
  std::optional<double> v = to_double(*raw);
  if (!v) {
    if (auto t = core::parse_iso8601(*raw)) v = static_cast<double>(core::to_unix(*t));
    else
      return core::fail(core::Error::invalid_field({"query", std::string(name)},
                                                   "Input should be a Unix timestamp or an RFC 3339 date-time",
                                                   "datetime_parsing"));
  }
  if (!(*v >= static_cast<double>(min_unix_time) && *v <= static_cast<double>(max_unix_time)))
    return core::fail(time_range_error(name));
  return v;
}

core::Result<std::optional<double>> query_duration(const http::Request& req, std::string_view name,
                                                   double max_seconds) {
  auto raw = req.query_param(name);
  if (!raw) return std::optional<double>{};
  std::string_view s = *raw;
  double factor = 1;
  if (s.ends_with("ms")) factor = 0.001, s.remove_suffix(2);
  else if (s.ends_with('s')) s.remove_suffix(1);
  else if (s.ends_with('m')) factor = 60, s.remove_suffix(1);
  else if (s.ends_with('h')) factor = 3600, s.remove_suffix(1);
  else if (s.ends_with('d')) factor = 86400, s.remove_suffix(1);
  else if (s.ends_with('w')) factor = 604800, s.remove_suffix(1);
  const auto v = to_double(s);
  const double seconds = v ? *v * factor : 0;
  if (!v || !(seconds > 0))
    return core::fail(core::Error::invalid_field({"query", std::string(name)},
                                                 "Input should be a positive number of seconds or a duration like 15s",
                                                 "value_error"));
  if (seconds > max_seconds)
    return core::fail(core::Error::invalid_field(
        {"query", std::string(name)}, "Input should be at most " + core::format_shortest(max_seconds) + " seconds",
        "less_than_equal"));
  return std::optional<double>{seconds};
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
