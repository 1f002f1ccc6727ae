// Alert rule bodies: POST/PATCH /api/v1/alerts/rules/ and the GET shape.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <algorithm>

#include "domain/json.hpp"
#include "domain/json_reader.hpp"
#include "domain/json_writer.hpp"

namespace sentinel::domain {

namespace {

using detail::Presence;

constexpr auto name_rule = detail::StringRule::between(1, 255).non_blank();
constexpr auto metric_name_rule = detail::StringRule::between(1, 255).non_blank();
constexpr auto promql_rule = detail::StringRule::between(1, 10000).non_blank();
constexpr auto description_rule = detail::StringRule::between(0, 2000);

constexpr std::int64_t one_year_sec = 31536000;
const detail::IntRule server_id_rule{1, std::nullopt};
const detail::IntRule interval_rule{0, one_year_sec};
const detail::IntRule eval_interval_rule{1, 86400};
const detail::IntRule channel_id_rule{1, std::nullopt};
const detail::IntRule group_wait_rule{0, 3600};
const detail::IntRule group_interval_rule{1, 86400};
// A rule names a few channels; the bound keeps a body from storing a huge list.
constexpr std::size_t max_channel_ids = 100;

// Duplicates collapse (a set, in the order first given).
std::vector<std::int64_t> distinct(std::vector<std::int64_t> ids) {
  std::vector<std::int64_t> out;
  for (auto id : ids)
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  return out;
}

const std::initializer_list<std::string_view> comparisons = {">", ">=", "<", "<=", "==", "!="};
const std::initializer_list<std::string_view> channels = {"telegram", "webhook", "none"};
const std::initializer_list<std::string_view> no_data_states = {"ok", "alerting", "keep_last"};
const std::initializer_list<std::string_view> severities = {"info", "warning", "critical"};

// Served by GET, so a GET → PATCH round trip sends them back: ignored.
const std::initializer_list<std::string_view> read_only = {
    "id", "state", "last_evaluated_at", "last_value", "last_error", "created_at", "updated_at"};

}  // namespace

boost::json::value to_json(const AlertRule& r) {
  return boost::json::object{
      {"id", r.id},
      {"name", r.name},
      {"server_id", detail::json_of(r.server_id)},
      {"metric_name", r.metric_name},
      {"promql", r.promql},
      {"threshold", detail::json_of(r.threshold)},
      {"comparison", r.comparison},
      {"repeat_interval_sec", r.repeat_interval_sec},
      {"is_active", r.is_active},
      {"channel", r.channel},
      {"for_sec", r.for_sec},
      {"recovery_threshold", detail::json_of(r.recovery_threshold)},
      {"no_data_state", r.no_data_state},
      {"severity", r.severity},
      {"description", detail::json_of(r.description)},
      {"eval_interval_sec", detail::json_of(r.eval_interval_sec)},
      {"channel_ids", boost::json::array(r.channel_ids.begin(), r.channel_ids.end())},
      {"group_wait_sec", detail::json_of(r.group_wait_sec)},
      {"group_interval_sec", detail::json_of(r.group_interval_sec)},
      {"state", r.state},
      {"last_evaluated_at", detail::json_of(r.last_evaluated_at)},
      {"last_value", detail::json_of(r.last_value)},
      {"last_error", detail::json_of(r.last_error)},
      {"created_at", detail::json_of(r.created_at)},
      {"updated_at", detail::json_of(r.updated_at)},
  };
}

core::Result<AlertRuleCreate> parse_alert_rule_create(const boost::json::value& body) {
  auto obj = detail::body_object(body);
  if (!obj) return core::fail(obj.error());
  detail::ObjectReader r(**obj);
  AlertRuleCreate out;
  if (auto v = r.string("name", Presence::required, name_rule)) out.name = std::move(**v);
  if (auto v = r.integer("server_id", Presence::nullable, server_id_rule)) out.server_id = *v;
  if (auto v = r.string("metric_name", Presence::required, metric_name_rule)) out.metric_name = std::move(**v);
  if (auto v = r.string("promql", Presence::required, promql_rule)) out.promql = std::move(**v);
  if (auto v = r.number("threshold", Presence::required)) out.threshold = **v;
  if (auto v = r.choice("comparison", Presence::optional, comparisons)) out.comparison = std::move(**v);
  if (auto v = r.integer("repeat_interval_sec", Presence::optional, interval_rule)) out.repeat_interval_sec = **v;
  if (auto v = r.boolean("is_active", Presence::optional)) out.is_active = **v;
  if (auto v = r.choice("channel", Presence::optional, channels)) out.channel = std::move(**v);
  if (auto v = r.integer("for_sec", Presence::optional, interval_rule)) out.for_sec = **v;
  if (auto v = r.number("recovery_threshold", Presence::nullable)) out.recovery_threshold = *v;
  if (auto v = r.choice("no_data_state", Presence::optional, no_data_states)) out.no_data_state = std::move(**v);
  if (auto v = r.choice("severity", Presence::optional, severities)) out.severity = std::move(**v);
  if (auto v = r.string("description", Presence::nullable, description_rule)) out.description = std::move(*v);
  if (auto v = r.integer("eval_interval_sec", Presence::nullable, eval_interval_rule)) out.eval_interval_sec = *v;
  if (auto v = r.integer_list("channel_ids", Presence::optional, channel_id_rule, max_channel_ids))
    out.channel_ids = distinct(std::move(**v));
  if (auto v = r.integer("group_wait_sec", Presence::nullable, group_wait_rule)) out.group_wait_sec = *v;
  if (auto v = r.integer("group_interval_sec", Presence::nullable, group_interval_rule)) out.group_interval_sec = *v;
  if (auto done = r.finish(read_only); !done) return core::fail(done.error());
  return out;
}

core::Result<AlertRulePatch> parse_alert_rule_patch(const boost::json::value& body) {
  auto obj = detail::body_object(body);
  if (!obj) return core::fail(obj.error());
  detail::ObjectReader r(**obj);
  AlertRulePatch out;
  if (auto v = r.string("name", Presence::optional, name_rule)) out.name = std::move(**v);
  out.server_id = r.integer("server_id", Presence::nullable, server_id_rule);
  if (auto v = r.string("metric_name", Presence::optional, metric_name_rule)) out.metric_name = std::move(**v);
  if (auto v = r.string("promql", Presence::optional, promql_rule)) out.promql = std::move(**v);
  if (auto v = r.number("threshold", Presence::optional)) out.threshold = **v;
  if (auto v = r.choice("comparison", Presence::optional, comparisons)) out.comparison = std::move(**v);
  if (auto v = r.integer("repeat_interval_sec", Presence::optional, interval_rule)) out.repeat_interval_sec = **v;
  if (auto v = r.boolean("is_active", Presence::optional)) out.is_active = **v;
  if (auto v = r.choice("channel", Presence::optional, channels)) out.channel = std::move(**v);
  if (auto v = r.integer("for_sec", Presence::optional, interval_rule)) out.for_sec = **v;
  out.recovery_threshold = r.number("recovery_threshold", Presence::nullable);
  if (auto v = r.choice("no_data_state", Presence::optional, no_data_states)) out.no_data_state = std::move(**v);
  if (auto v = r.choice("severity", Presence::optional, severities)) out.severity = std::move(**v);
  out.description = r.string("description", Presence::nullable, description_rule);
  out.eval_interval_sec = r.integer("eval_interval_sec", Presence::nullable, eval_interval_rule);
  if (auto v = r.integer_list("channel_ids", Presence::optional, channel_id_rule, max_channel_ids))
    out.channel_ids = distinct(std::move(**v));
  out.group_wait_sec = r.integer("group_wait_sec", Presence::nullable, group_wait_rule);
  out.group_interval_sec = r.integer("group_interval_sec", Presence::nullable, group_interval_rule);
  if (auto done = r.finish(read_only); !done) return core::fail(done.error());
  return out;
}

}  // namespace sentinel::domain
