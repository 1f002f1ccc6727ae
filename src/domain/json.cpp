#include "domain/json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>

namespace sentinel::domain {

namespace {

// Deep enough for any real body; bounds the parser's stack for hostile ones.
constexpr std::size_t max_json_depth = 64;

}  // namespace

core::Result<boost::json::value> parse_json_body(std::string_view body) {
  boost::json::parse_options options;
  options.max_depth = max_json_depth;
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec, {}, options);
  if (ec) return core::fail(core::Error::invalid_field({"body"}, "JSON decode error: " + ec.message(), "json_invalid"));
  return value;
}

}  // namespace sentinel::domain
