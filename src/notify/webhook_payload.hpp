#pragma once
// The webhook body, shaped like Alertmanager's webhook_config payload
// (version "4") so receivers written for Alertmanager work unchanged:
//
//   {"receiver": "sentinel", "status": "firing",
//    "alerts": [{"status": "firing",
//                "labels": {"alertname": "High CPU", "instance": "10.0.0.5:9100", "mountpoint": "/",
//                           "rule_id": "7", "server_id": "1", "severity": "critical"},
//                "annotations": {"comparison": ">", "description": "…", "summary": "…",
//                                "threshold": "90", "value": "95.33333333333333"},
//                "startsAt": "2026-11-23T22:24:26Z", "endsAt": "0001-01-01T00:00:00Z",
//                "generatorURL": "https://sentinel.example/api/v1/alerts/rules/7",
//                "fingerprint": "1a30ba71cca2921f"}],
//    "groupLabels": {"alertname": "High CPU"}, "commonLabels": {…}, "commonAnnotations": {…},
//    "externalURL": "https://sentinel.example", "version": "4",
//    "groupKey": "{}/{fingerprint=\"1a30ba71cca2921f\"}:{alertname=\"High CPU\"}",
//    "truncatedAlerts": 0}
//
// webhook_payload() carries one alert (one series of one rule), so the
// common labels and annotations are that alert's own;
// webhook_group_payload() carries a group. Keys come in Alertmanager's order.
#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <string_view>

#include "notify/alert_group.hpp"
#include "notify/notification.hpp"

namespace sentinel::notify {

struct WebhookOptions {
  std::string receiver = "sentinel";
  // Sentinel's public base URL for "externalURL" and the rule link in
  // "generatorURL"; empty when not configured (both are then "").
  std::string external_url;
};

// The alert's label set: the series' labels (minus "__name__" and empty
// values, which Prometheus treats as absent), "instance" when the series
// has none and the server is known, then Sentinel's own labels, which win as
// a rule's labels win in Prometheus: alertname (the rule name), severity,
// server_id and rule_id (when set). Values are made valid UTF-8.
std::map<std::string, std::string> webhook_alert_labels(const Notification& n);

// Alertmanager's fingerprint of a label set: FNV-1a 64 over the sorted
// names and values, each followed by the byte 0xFF (prometheus/common
// model.LabelSet.Fingerprint), as 16 lower-case hex digits. A receiver can
// compute it from "labels" and get the same value.
std::string alertmanager_fingerprint(const std::map<std::string, std::string>& labels);

// The alert's annotations: summary (the event's message, else one made of
// rule, subject and value), description (the rule's, when set), value,
// threshold and comparison.
std::map<std::string, std::string> webhook_alert_annotations(const Notification& n);

// One entry of "alerts": status, labels, annotations, startsAt, endsAt,
// generatorURL, fingerprint.
boost::json::object webhook_alert(const Notification& n, std::string_view generator_url);

// The payload as a JSON object; status "firing" for firing and repeat
// notifications, "resolved" (with endsAt = resolved_at) for resolved ones.
// "endsAt" is "0001-01-01T00:00:00Z" while firing, as Alertmanager sends it.
// "groupKey" is per series, so a receiver that deduplicates or tracks
// incidents by group key keeps two servers firing the same rule apart.
boost::json::object webhook_payload(const Notification& n, const WebhookOptions& options);

// The payload of a whole group (one rule): every alert, with the group's
// status; commonLabels and commonAnnotations are what all alerts share;
// externalURL is the public URL and each generatorURL its alert's console
// page ("" without a public URL); groupKey names the rule
// ({}/{rule_id="7"}:{alertname="High CPU"}), so every message about one
// rule shares it.
boost::json::object webhook_group_payload(const AlertGroup& group, std::string_view receiver = "sentinel");

}  // namespace sentinel::notify
