#include "notify/webhook_payload.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <string_view>

#include "domain/label_fingerprint.hpp"
#include "notify/text_format.hpp"
#include "core/utf8.hpp"

namespace sentinel::notify {

namespace {

// Go's zero time.Time in RFC 3339: what Alertmanager sends as endsAt while firing.
constexpr std::string_view zero_time = "0001-01-01T00:00:00Z";

boost::json::object json_of(const std::map<std::string, std::string>& m) {
  boost::json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

// A label value the way Go's %q prints it (Alertmanager's LabelSet.String()).
std::string go_quoted(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          static constexpr char hex[] = "0123456789abcdef";
          const auto byte = static_cast<unsigned char>(c);
          out += "\\x";
          out += hex[byte >> 4];
          out += hex[byte & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string trimmed_url(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

// The members whose value every alert's `key` object shares (Alertmanager's
// commonLabels, commonAnnotations).
boost::json::object common_members(const boost::json::array& alerts, std::string_view key) {
  boost::json::object common;
  if (alerts.empty()) return common;
  common = alerts.front().as_object().at(key).as_object();
  for (const auto& a : alerts) {
    const auto& o = a.as_object().at(key).as_object();
    for (auto it = common.begin(); it != common.end();) {
      const auto* v = o.if_contains(it->key());
      it = (v != nullptr && *v == it->value()) ? std::next(it) : common.erase(it);
    }
  }
  return common;
}

std::string subject(const Notification& n) {
  if (n.server_name && !n.server_name->empty()) return *n.server_name;
  if (auto instance = display_instance(n)) return *instance;
  if (n.event.server_id) return "server " + std::to_string(*n.event.server_id);
  return {};
}

}  // namespace

std::map<std::string, std::string> webhook_alert_annotations(const Notification& n) {
  const domain::AlertEvent& e = n.event;
  std::map<std::string, std::string> a;
  if (!e.message.empty()) {
    a["summary"] = core::sanitize_utf8(e.message);
  } else {
    std::string summary = e.rule_name;
    if (const std::string who = subject(n); !who.empty()) summary += " on " + who;
    summary += ": ";
    summary += value_with_condition(e.value, std::nullopt, std::nullopt);
    if (e.comparison && e.threshold) summary += " (" + *e.comparison + " " + format_readable(*e.threshold) + ")";
    a["summary"] = core::sanitize_utf8(summary);
  }
  // The rule's other annotations (runbook_url…), rendered for this series;
  // Sentinel's own keys win over a same-named one.
  for (const auto& [k, v] : n.annotations) a.emplace(core::sanitize_utf8(k), core::sanitize_utf8(v));
  if (n.summary && !n.summary->empty()) a["summary"] = core::sanitize_utf8(*n.summary);
  if (n.description && !n.description->empty()) a["description"] = core::sanitize_utf8(*n.description);
  if (e.value) a["value"] = format_exact(*e.value);
  if (e.threshold && e.comparison) {
    a["threshold"] = format_exact(*e.threshold);
    a["comparison"] = core::sanitize_utf8(*e.comparison);
  }
  return a;
}

std::map<std::string, std::string> webhook_alert_labels(const Notification& n) {
  const domain::AlertEvent& e = n.event;
  std::map<std::string, std::string> labels;
  for (const auto& [name, value] : e.labels) {
    if (name == "__name__" || value.empty()) continue;
    labels[core::sanitize_utf8(name)] = core::sanitize_utf8(value);
  }
  if (!labels.contains("instance")) {
    if (auto instance = display_instance(n)) labels["instance"] = core::sanitize_utf8(*instance);
  }
  // The rule's own labels, as Prometheus adds them (over the series' ones).
  for (const auto& [name, value] : n.rule_labels)
    if (!value.empty()) labels[core::sanitize_utf8(name)] = core::sanitize_utf8(value);
  labels["alertname"] = core::sanitize_utf8(e.rule_name);
  labels["severity"] = core::sanitize_utf8(e.severity);
  if (e.server_id)
    labels["server_id"] = std::to_string(*e.server_id);
  else
    labels.erase("server_id");  // a series label of that name would pass for ours
  if (e.rule_id)
    labels["rule_id"] = std::to_string(*e.rule_id);
  else
    labels.erase("rule_id");
  return labels;
}

std::string alertmanager_fingerprint(const std::map<std::string, std::string>& labels) {
  return domain::label_fingerprint(labels);  // the alert engine keys series by the same hash
}

boost::json::object webhook_alert(const Notification& n, std::string_view generator_url) {
  const domain::AlertEvent& e = n.event;
  const bool resolved = n.kind == NotificationKind::resolved;
  const auto labels = webhook_alert_labels(n);
  std::string ends_at(zero_time);
  if (resolved) ends_at = core::format_iso8601(e.resolved_at ? *e.resolved_at : n.now ? *n.now : e.started_at);

  boost::json::object alert;
  alert["status"] = resolved ? "resolved" : "firing";
  alert["labels"] = json_of(labels);
  alert["annotations"] = json_of(webhook_alert_annotations(n));
  alert["startsAt"] = core::format_iso8601(e.started_at);
  alert["endsAt"] = ends_at;
  alert["generatorURL"] = generator_url;
  alert["fingerprint"] = alertmanager_fingerprint(labels);
  return alert;
}

boost::json::object webhook_payload(const Notification& n, const WebhookOptions& options) {
  const domain::AlertEvent& e = n.event;
  const std::string base = trimmed_url(options.external_url);
  std::string generator_url;
  if (!base.empty() && e.rule_id) generator_url = base + "/api/v1/alerts/rules/" + std::to_string(*e.rule_id);
  boost::json::object alert = webhook_alert(n, generator_url);
  // One alert: its own labels and annotations are the common ones.
  const boost::json::value labels = alert["labels"];
  const boost::json::value notes = alert["annotations"];
  const std::string fingerprint(alert["fingerprint"].as_string());
  const std::string alertname(labels.as_object().at("alertname").as_string());

  boost::json::object payload;
  payload["receiver"] = options.receiver;
  payload["status"] = alert["status"];
  payload["alerts"] = boost::json::array{std::move(alert)};
  payload["groupLabels"] = boost::json::object{{"alertname", alertname}};
  payload["commonLabels"] = labels;
  payload["commonAnnotations"] = notes;
  payload["externalURL"] = base;
  payload["version"] = "4";
  // Alertmanager's form is "<route key>:<group labels>". Each payload is one
  // series, so the route part names the series: firing, repeat and resolved
  // of one series share the key, two series never do.
  payload["groupKey"] = "{}/{fingerprint=" + go_quoted(fingerprint) + "}:{alertname=" + go_quoted(alertname) + "}";
  payload["truncatedAlerts"] = 0;
  return payload;
}

boost::json::object webhook_group_payload(const AlertGroup& group, std::string_view receiver) {
  boost::json::array alerts;
  for (const auto& n : group.alerts) {
    Notification one = n;
    one.kind = group.kind;  // the group's word wins: a group is all firing or all resolved
    const auto link = event_link(group, n);
    alerts.push_back(webhook_alert(one, link.value_or("")));
  }
  const std::string& alertname = group_rule_name(group);
  std::string group_key = "{}";
  if (!group.alerts.empty() && group.alerts.front().event.rule_id)
    group_key += "/{rule_id=" + go_quoted(std::to_string(*group.alerts.front().event.rule_id)) + "}";
  group_key += ":{alertname=" + go_quoted(core::sanitize_utf8(alertname)) + "}";

  boost::json::object payload;
  payload["receiver"] = receiver;
  payload["status"] = group.kind == NotificationKind::resolved ? "resolved" : "firing";
  payload["alerts"] = std::move(alerts);
  payload["groupLabels"] = boost::json::object{{"alertname", core::sanitize_utf8(alertname)}};
  payload["commonLabels"] = common_members(payload["alerts"].as_array(), "labels");
  payload["commonAnnotations"] = common_members(payload["alerts"].as_array(), "annotations");
  payload["externalURL"] = group.public_url ? trimmed_url(*group.public_url) : std::string();
  payload["version"] = "4";
  // Alertmanager's "<route key>:<group labels>": one group per rule, so the
  // route part names the rule; every message about it shares the key.
  payload["groupKey"] = group_key;
  payload["truncatedAlerts"] = 0;
  return payload;
}


}  // namespace sentinel::notify
