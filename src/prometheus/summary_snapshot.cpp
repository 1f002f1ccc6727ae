#include "prometheus/summary_snapshot.hpp"

#include <boost/json/array.hpp>
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

std::string encode_fleet_snapshot(const FleetSnapshot& s) {
  const auto defs = summary_metrics();
  json::array keys{"up"};
  for (const auto& d : defs) keys.emplace_back(d.key);
  json::object targets;
  targets.reserve(s.targets.size());
  for (const auto& [key, v] : s.targets) {
    json::array row;
    row.reserve(defs.size() + 1);
    row.emplace_back(v.up);
    for (std::size_t i = 0; i < defs.size(); ++i) {
      const std::optional<double> x = i < v.values.size() ? v.values[i] : std::nullopt;
      if (x && std::isfinite(*x)) row.emplace_back(*x);
      else row.emplace_back(nullptr);
    }
    targets.emplace(key, std::move(row));
  }
  return json::serialize(
      json::object{{"evaluated_at", s.evaluated_at}, {"metrics", std::move(keys)}, {"targets", std::move(targets)}});
}

std::optional<FleetSnapshot> decode_fleet_snapshot(std::string_view text) {
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) return std::nullopt;
  const auto& o = doc.get_object();
  const auto* at = o.if_contains("evaluated_at");
  const auto* keys = o.if_contains("metrics");
  const auto* targets = o.if_contains("targets");
  if (!at || !at->is_number() || !keys || !keys->is_array() || !targets || !targets->is_object()) return std::nullopt;
  const auto defs = summary_metrics();
  const auto& names = keys->get_array();
  if (names.size() != defs.size() + 1 || names[0] != "up") return std::nullopt;
  for (std::size_t i = 0; i < defs.size(); ++i)
    if (!names[i + 1].is_string() || names[i + 1].get_string() != defs[i].key) return std::nullopt;
  FleetSnapshot s;
  s.evaluated_at = at->to_number<double>();
  s.targets.reserve(targets->get_object().size());
  for (const auto& kv : targets->get_object()) {
    if (!kv.value().is_array()) return std::nullopt;
    const auto& row = kv.value().get_array();
    if (row.size() != defs.size() + 1 || !row[0].is_bool()) return std::nullopt;
    SummaryValues v;
    v.up = row[0].get_bool();
    for (std::size_t i = 1; i < row.size(); ++i) {
      if (row[i].is_null()) v.values.emplace_back();
      else if (row[i].is_number()) v.values.emplace_back(row[i].to_number<double>());
      else return std::nullopt;
    }
    s.targets.emplace(std::string(kv.key()), std::move(v));
  }
  return s;
}

}  // namespace sentinel::prometheus
