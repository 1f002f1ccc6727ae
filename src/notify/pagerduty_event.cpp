#include "notify/pagerduty_event.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "core/utf8.hpp"
#include "domain/label_fingerprint.hpp"
#include "notify/channel_settings.hpp"
#include "notify/event_text.hpp"
#include "notify/text_format.hpp"
#include "notify/text_limits.hpp"

namespace sentinel::notify {

namespace {

std::string summary_of(const Notification& n) {
  const domain::AlertEvent& e = n.event;
  std::string summary = e.message;
  if (summary.empty()) {
    const SeriesText t = series_text(n);
    summary = e.rule_name + ": " + t.value + (t.subject.empty() ? "" : " on " + t.subject);
  }
  // The API refuses an empty summary and cuts nothing itself: over 1024 it rejects the event.
  return cut_to_bytes(core::sanitize_utf8(summary), pagerduty_max_summary);
}

boost::json::object custom_details(const Notification& n) {
  const domain::AlertEvent& e = n.event;
  boost::json::object labels;
  for (const auto& [k, v] : e.labels) {
    if (k == "__name__" || v.empty()) continue;
    labels[core::sanitize_utf8(k)] = core::sanitize_utf8(v);
  }
  boost::json::object d;
  d["rule"] = core::sanitize_utf8(e.rule_name);
  d["labels"] = std::move(labels);
  d["value"] = e.value ? format_exact(*e.value) : std::string("no data");
  if (e.threshold && e.comparison) {
    d["threshold"] = format_exact(*e.threshold);
    d["comparison"] = core::sanitize_utf8(*e.comparison);
  }
  d["started_at"] = core::format_iso8601(e.started_at);
  if (n.description && !n.description->empty()) d["description"] = core::sanitize_utf8(*n.description);
  return d;
}

}  // namespace

std::string pagerduty_dedup_key(const Notification& n) {
  const std::string fingerprint =
      n.event.fingerprint.empty() ? domain::label_fingerprint(n.event.labels) : n.event.fingerprint;
  return "sentinel:" + std::to_string(n.event.id) + ":" + fingerprint;
}

std::string_view pagerduty_severity(std::string_view severity) {
  if (severity == "critical" || severity == "warning" || severity == "info") return severity;
  return "warning";
}

boost::json::object pagerduty_event(const AlertGroup& group, const Notification& n, std::string_view routing_key) {
  boost::json::object event;
  event["routing_key"] = routing_key;
  const bool resolve = group.kind == NotificationKind::resolved;
  event["event_action"] = resolve ? "resolve" : "trigger";
  event["dedup_key"] = pagerduty_dedup_key(n);
  if (resolve) return event;

  const SeriesText t = series_text(n);
  boost::json::object payload;
  payload["summary"] = summary_of(n);
  payload["source"] = t.subject.empty() ? std::string("sentinel") : t.subject;
  payload["severity"] = pagerduty_severity(n.event.severity);
  payload["timestamp"] = core::format_iso8601(n.event.started_at);
  payload["group"] = core::sanitize_utf8(n.event.rule_name);
  payload["custom_details"] = custom_details(n);
  event["payload"] = std::move(payload);
  if (const auto link = event_link(group, n))
    event["links"] = boost::json::array{boost::json::object{{"href", *link}, {"text", console_link_text}}};
  event["client"] = "Sentinel";
  if (group.public_url) event["client_url"] = *group.public_url;
  return event;
}

std::expected<RequestPlan, std::string> pagerduty_requests(const boost::json::object& settings,
                                                           const AlertGroup& group) {
  SettingsReader read(settings);
  const std::string routing_key = read.required_string("routing_key");
  const std::string url = read.optional_url("api_url").value_or(std::string(pagerduty_default_url));
  if (read.error()) return std::unexpected(*read.error());
  RequestPlan plan;
  plan.same_target = true;
  for (const auto& n : group.alerts) {
    OutboundRequest r = json_request("PagerDuty", url, boost::json::serialize(pagerduty_event(group, n, routing_key)));
    r.secrets = {routing_key};
    plan.requests.push_back(std::move(r));
  }
  return plan;
}

}  // namespace sentinel::notify
