#include "prometheus/summary_snapshot.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>

#include "prometheus/query_catalogue.hpp"

namespace sentinel::prometheus {

namespace json = boost::json;

std::string encode_snapshot(const Summary& s) {
  json::object metrics;
  const auto defs = summary_metrics();
  for (std::size_t i = 0; i < defs.size(); ++i) {
    const std::optional<double> v = i < s.values.size() ? s.values[i] : std::nullopt;
    if (v && std::isfinite(*v)) metrics.emplace(defs[i].key, *v);
    else metrics.emplace(defs[i].key, nullptr);
  }
  return json::serialize(json::object{{"evaluated_at", s.evaluated_at}, {"up", s.up}, {"metrics", std::move(metrics)}});
}

std::optional<Summary> decode_snapshot(std::string_view text) {
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) return std::nullopt;
  const auto& o = doc.get_object();
  const auto* at = o.if_contains("evaluated_at");
  const auto* up = o.if_contains("up");
  const auto* metrics = o.if_contains("metrics");
  if (!at || !at->is_number() || !up || !up->is_bool() || !metrics || !metrics->is_object()) return std::nullopt;
  Summary s;
  s.evaluated_at = at->to_number<double>();
  s.up = up->get_bool();
  for (const auto& def : summary_metrics()) {
    const auto* v = metrics->get_object().if_contains(def.key);
    if (!v) return std::nullopt;
    if (v->is_null()) s.values.emplace_back();
    else if (v->is_number()) s.values.emplace_back(v->to_number<double>());
    else return std::nullopt;
  }
  return s;
}

}  // namespace sentinel::prometheus
