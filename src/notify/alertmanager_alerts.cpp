#include "notify/alertmanager_alerts.hpp"

#include <boost/json/serialize.hpp>

#include "core/utf8.hpp"
#include "notify/channel_settings.hpp"
#include "notify/webhook_payload.hpp"

namespace sentinel::notify {

namespace {

constexpr std::string_view alerts_path = "/api/v2/alerts";

}  // namespace

std::string alertmanager_alerts_url(std::string_view base) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  if (base.ends_with(alerts_path)) return std::string(base);
  return std::string(base) + std::string(alerts_path);
}

boost::json::array alertmanager_alerts(const AlertGroup& group) {
  boost::json::array alerts;
  for (const auto& n : group.alerts) {
    // The webhook's alert, less what a postable alert has not (status,
    // fingerprint: Alertmanager derives them) and with Prometheus's endsAt.
    const auto link = event_link(group, n);
    boost::json::object alert = webhook_alert(n, link.value_or(""));
    alert.erase("status");
    alert.erase("fingerprint");
    auto& labels = alert["labels"].as_object();
    if (n.server_name && !n.server_name->empty() && !labels.contains("server"))
      labels["server"] = core::sanitize_utf8(*n.server_name);
    const core::Timestamp ends = group.kind == NotificationKind::resolved
                                     ? n.event.resolved_at.value_or(group.now)
                                     : group.now + alertmanager_firing_timeout;
    alert["endsAt"] = core::format_iso8601(ends);
    // Alertmanager validates generatorURL as a URI: left out rather than "".
    if (!link) alert.erase("generatorURL");
    alerts.push_back(std::move(alert));
  }
  return alerts;
}

std::expected<RequestPlan, std::string> alertmanager_requests(const boost::json::object& settings,
                                                              const AlertGroup& group) {
  SettingsReader read(settings);
  const auto urls = read.required_string_list("urls");
  for (const auto& url : urls)
    if (!is_http_url(url)) read.fail("urls must hold http:// or https:// URLs");
  if (read.error()) return std::unexpected(*read.error());

  const std::string body = boost::json::serialize(alertmanager_alerts(group));
  RequestPlan plan;
  plan.same_target = false;
  for (const auto& url : urls) {
    OutboundRequest r = json_request("Alertmanager", alertmanager_alerts_url(url), body);
    if (auto userinfo = url_userinfo(url)) r.secrets.push_back(std::move(*userinfo));
    plan.requests.push_back(std::move(r));
  }
  return plan;
}

}  // namespace sentinel::notify
