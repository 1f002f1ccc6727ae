#pragma once
// The `alertmanager` channel (product.md §9): the group's alerts posted to
// Alertmanager's API as Prometheus posts them, so an existing Alertmanager
// routes, groups and silences them:
//
//   POST <url>/api/v2/alerts
//   [{"labels": {"alertname": "High CPU", "severity": "critical", "instance": "10.0.0.5:9100",
//                "server": "web-1", "mountpoint": "/", "rule_id": "7", "server_id": "1"},
//     "annotations": {"summary": "High CPU: 97.5 > 90 on web-1", "description": "…", …},
//     "startsAt": "2026-11-23T22:24:26Z", "endsAt": "2026-11-23T22:28:26Z",
//     "generatorURL": "https://sentinel.example.com/events/11"}]
//
// While firing, endsAt is now + 4 × the resend interval (1 min), as
// Prometheus sets it: an alert no longer re-sent (Sentinel stopped) resolves
// by itself in Alertmanager after four missed resends. A resolved alert
// carries its resolution time. Re-sending every minute while firing is the
// dispatcher's part. One request per URL: each Alertmanager of an HA
// cluster gets every alert, as Prometheus does.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <expected>
#include <string>
#include <string_view>

#include "notify/alert_group.hpp"
#include "notify/outbound_request.hpp"

namespace sentinel::notify {

inline constexpr std::chrono::seconds alertmanager_resend_interval{60};
inline constexpr std::chrono::seconds alertmanager_firing_timeout = 4 * alertmanager_resend_interval;

// `base` + "/api/v2/alerts" (a trailing '/' dropped; a URL that already ends
// with /api/v2/alerts is kept).
std::string alertmanager_alerts_url(std::string_view base);

// The postable alerts of the group: labels as the webhook's
// (webhook_alert_labels) plus "server" (the server's name, unless the
// series has a label of that name); annotations as the webhook's.
boost::json::array alertmanager_alerts(const AlertGroup& group);

// Settings: urls (Alertmanager base URLs; a user:password in one is basic
// auth and a secret). One request per URL, independent targets. Fails with
// the settings' first problem.
std::expected<RequestPlan, std::string> alertmanager_requests(const boost::json::object& settings,
                                                              const AlertGroup& group);

}  // namespace sentinel::notify
