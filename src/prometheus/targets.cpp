#include "prometheus/targets.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>
#include <exception>
#include <optional>

namespace sentinel::prometheus {

namespace {

namespace json = boost::json;

constexpr std::size_t max_json_depth = 32;  // targets nest 5 levels; bounds the parser's stack

std::string_view string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

std::optional<ActiveTarget> read_target(const json::value& v) {
  const auto* o = v.if_object();
  if (o == nullptr) return std::nullopt;
  const auto* labels = o->if_contains("labels");
  if (labels == nullptr || !labels->is_object()) return std::nullopt;
  ActiveTarget t;
  t.labels.reserve(labels->get_object().size());
  for (const auto& [name, value] : labels->get_object()) {
    if (!value.is_string()) return std::nullopt;
    t.labels.emplace_back(std::string(name), std::string(value.get_string()));
  }
  std::sort(t.labels.begin(), t.labels.end());
  t.scrape_pool = string_field(*o, "scrapePool");
  t.health = string_field(*o, "health");
  return t;
}

QueryOutcome<std::vector<ActiveTarget>> parse(int http_status, std::string_view body) {
  json::parse_options options;
  options.max_depth = max_json_depth;
  boost::system::error_code ec;
  const json::value doc = json::parse(body, ec, {}, options);
  const json::array* active = nullptr;
  if (!ec && http_status >= 200 && http_status < 300) {
    const auto* root = doc.if_object();
    const auto* status = root != nullptr ? root->if_contains("status") : nullptr;
    const auto* data = root != nullptr ? root->if_contains("data") : nullptr;
    if (status != nullptr && status->is_string() && status->get_string() == "success" && data != nullptr &&
        data->is_object()) {
      const auto* list = data->get_object().if_contains("activeTargets");
      if (list == nullptr || !list->is_array())
        return std::unexpected(QueryError{QueryErrorKind::bad_response,
                                          "malformed Prometheus response: \"data.activeTargets\" is missing or not "
                                          "an array"});
      active = &list->get_array();
    }
  }
  if (active == nullptr) {
    // Not a success envelope: the query parser classifies errors and
    // foreign bodies the same way for every endpoint.
    auto classified = parse_query_response(http_status, body);
    if (classified)
      return std::unexpected(QueryError{QueryErrorKind::bad_response, "unexpected answer from Prometheus"});
    return std::unexpected(std::move(classified.error()));
  }
  std::vector<ActiveTarget> out;
  out.reserve(active->size());
  for (const auto& v : *active)
    if (auto t = read_target(v)) out.push_back(std::move(*t));
  return out;
}

}  // namespace

QueryOutcome<std::vector<ActiveTarget>> parse_targets_response(int http_status, std::string_view body) {
  try {
    return parse(http_status, body);
  } catch (const std::exception& e) {  // allocation failure on a huge body
    return std::unexpected(
        QueryError{QueryErrorKind::bad_response, std::string("cannot parse the Prometheus response: ") + e.what()});
  }
}

}  // namespace sentinel::prometheus
