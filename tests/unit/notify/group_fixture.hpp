#pragma once
// Alert groups for the channel formatters' tests: a fleet rule "High CPU"
// firing on `n` servers web-1 … web-n.
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "notify/alert_group.hpp"

namespace sentinel::notify::testing {

inline Notification sample_alert(int i, NotificationKind kind = NotificationKind::firing) {
  Notification n;
  n.kind = kind;
  n.event.id = 100 + i;
  n.event.rule_id = 7;
  n.event.server_id = i;
  n.event.rule_name = "High CPU";
  n.event.severity = "critical";
  n.event.value = 95.33333;
  n.event.threshold = 90;
  n.event.comparison = ">";
  const std::string instance = "10.0.0." + std::to_string(i) + ":9100";
  n.event.labels = {{"instance", instance}, {"job", "node"}};
  n.event.fingerprint = "fp" + std::to_string(i);
  n.event.message = "High CPU: 95.33 > 90 on web-" + std::to_string(i);
  n.event.started_at = core::from_unix(1795472666);  // 2026-11-23T22:24:26Z
  if (kind == NotificationKind::resolved) {
    n.event.status = "resolved";
    n.event.resolved_at = n.event.started_at + std::chrono::seconds{3900};
  }
  n.server_name = "web-" + std::to_string(i);
  n.instance = instance;
  return n;
}

inline AlertGroup sample_group(int n, NotificationKind kind = NotificationKind::firing,
                               std::optional<std::string> public_url = "https://sentinel.example.com") {
  AlertGroup g;
  g.kind = kind;
  for (int i = 1; i <= n; ++i) g.alerts.push_back(sample_alert(i, kind));
  g.public_url = std::move(public_url);
  g.now = core::from_unix(1795472966);  // 2026-11-23T22:29:26Z
  return g;
}

inline boost::json::object settings(std::string_view json) { return boost::json::parse(json).as_object(); }

}  // namespace sentinel::notify::testing
