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
constexpr auto description_rule = detail::StringRule::between(0, 4000);
constexpr auto summary_rule = detail::StringRule::between(0, 1000);
constexpr auto rule_group_rule = detail::StringRule::between(1, 255).non_blank();
constexpr auto label_value_rule = detail::StringRule::between(0, 1000);
constexpr auto annotation_value_rule = detail::StringRule::between(0, 4000);

// Prometheus's label name syntax, which annotation names follow too.
bool is_label_name(std::string_view s) {
  if (s.empty()) return false;
  auto head = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!head(s.front())) return false;
  for (char c : s)
    if (!head(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}
constexpr auto label_name_rule = detail::StringRule::between(1, 128).checked(
    is_label_name, "Value error, a label or annotation name must match [a-zA-Z_][a-zA-Z0-9_]*");
// A rule carries a few labels and annotations, as in a rule file.
constexpr std::size_t max_labels = 30;

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

constexpr std::string_view default_comparison = ">";
const std::initializer_list<std::string_view> comparisons = {">", ">=", "<", "<=", "==", "!="};
const std::initializer_list<std::string_view> channels = {"telegram", "webhook", "none"};
const std::initializer_list<std::string_view> no_data_states = {"ok", "alerting", "keep_last"};
const std::initializer_list<std::string_view> severities = {"info", "warning", "critical"};

// Served by GET, so a GET → PATCH round trip sends them back: ignored.
const std::initializer_list<std::string_view> read_only = {
    "id", "state", "last_evaluated_at", "last_value", "last_error", "created_at", "updated_at"};

boost::json::object string_object(const std::map<std::string, std::string>& m) {
  boost::json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

}  // namespace

boost::json::value to_json(const AlertRule& r) {
  return boost::json::object{
      {"id", r.id},
      {"name", r.name},
      {"server_id", detail::json_of(r.server_id)},
      {"metric_name", r.metric_name},
      {"promql", r.promql},
      {"threshold", detail::json_of(r.threshold)},
      {"comparison", detail::json_of(r.comparison)},
      {"repeat_interval_sec", r.repeat_interval_sec},
      {"is_active", r.is_active},
      {"channel", r.channel},
      {"for_sec", r.for_sec},
      {"keep_firing_for_sec", r.keep_firing_for_sec},
      {"recovery_threshold", detail::json_of(r.recovery_threshold)},
      {"no_data_state", r.no_data_state},
      {"severity", r.severity},
      {"summary", detail::json_of(r.summary)},
      {"description", detail::json_of(r.description)},
      {"labels", string_object(r.labels)},
      {"annotations", string_object(r.annotations)},
      {"rule_group", detail::json_of(r.rule_group)},
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
  // Without a threshold (absent or null) and a comparison, the rule fires
  // for every series its query returns; a threshold alone compares with ">".
  const bool has_threshold = body.as_object().contains("threshold");
  const bool has_comparison = body.as_object().contains("comparison");
  out.threshold = std::nullopt;
  out.comparison = std::nullopt;
  if (auto v = r.number("threshold", Presence::nullable)) out.threshold = *v;
  if (auto v = r.choice("comparison", Presence::nullable, comparisons)) out.comparison = std::move(*v);
  if (out.threshold && !has_comparison) out.comparison.emplace(default_comparison);
  if (!has_threshold && has_comparison && out.comparison)
    r.add_error("threshold", "Field required", "missing");
  if (auto v = r.integer("repeat_interval_sec", Presence::optional, interval_rule)) out.repeat_interval_sec = **v;
  if (auto v = r.boolean("is_active", Presence::optional)) out.is_active = **v;
  if (auto v = r.choice("channel", Presence::optional, channels)) out.channel = std::move(**v);
  if (auto v = r.integer("for_sec", Presence::optional, interval_rule)) out.for_sec = **v;
  if (auto v = r.integer("keep_firing_for_sec", Presence::optional, interval_rule)) out.keep_firing_for_sec = **v;
  if (auto v = r.number("recovery_threshold", Presence::nullable)) out.recovery_threshold = *v;
  if (auto v = r.choice("no_data_state", Presence::optional, no_data_states)) out.no_data_state = std::move(**v);
  if (auto v = r.choice("severity", Presence::optional, severities)) out.severity = std::move(**v);
  if (auto v = r.string("summary", Presence::nullable, summary_rule)) out.summary = std::move(*v);
  if (auto v = r.string("description", Presence::nullable, description_rule)) out.description = std::move(*v);
  if (auto v = r.string_map("labels", Presence::optional, label_name_rule, label_value_rule, max_labels))
    out.labels = std::move(**v);
  if (auto v = r.string_map("annotations", Presence::optional, label_name_rule, annotation_value_rule, max_labels))
    out.annotations = std::move(**v);
  if (auto v = r.string("rule_group", Presence::nullable, rule_group_rule)) out.rule_group = std::move(*v);
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
  out.threshold = r.number("threshold", Presence::nullable);
  out.comparison = r.choice("comparison", Presence::nullable, comparisons);
  if (auto v = r.integer("repeat_interval_sec", Presence::optional, interval_rule)) out.repeat_interval_sec = **v;
  if (auto v = r.boolean("is_active", Presence::optional)) out.is_active = **v;
  if (auto v = r.choice("channel", Presence::optional, channels)) out.channel = std::move(**v);
  if (auto v = r.integer("for_sec", Presence::optional, interval_rule)) out.for_sec = **v;
  if (auto v = r.integer("keep_firing_for_sec", Presence::optional, interval_rule)) out.keep_firing_for_sec = **v;
  out.recovery_threshold = r.number("recovery_threshold", Presence::nullable);
  if (auto v = r.choice("no_data_state", Presence::optional, no_data_states)) out.no_data_state = std::move(**v);
  if (auto v = r.choice("severity", Presence::optional, severities)) out.severity = std::move(**v);
  out.summary = r.string("summary", Presence::nullable, summary_rule);
  out.description = r.string("description", Presence::nullable, description_rule);
  if (auto v = r.string_map("labels", Presence::optional, label_name_rule, label_value_rule, max_labels))
    out.labels = std::move(**v);
  if (auto v = r.string_map("annotations", Presence::optional, label_name_rule, annotation_value_rule, max_labels))
    out.annotations = std::move(**v);
  out.rule_group = r.string("rule_group", Presence::nullable, rule_group_rule);
  out.eval_interval_sec = r.integer("eval_interval_sec", Presence::nullable, eval_interval_rule);
  if (auto v = r.integer_list("channel_ids", Presence::optional, channel_id_rule, max_channel_ids))
    out.channel_ids = distinct(std::move(**v));
  out.group_wait_sec = r.integer("group_wait_sec", Presence::nullable, group_wait_rule);
  out.group_interval_sec = r.integer("group_interval_sec", Presence::nullable, group_interval_rule);
  if (auto done = r.finish(read_only); !done) return core::fail(done.error());
  return out;
}

}  // namespace sentinel::domain
