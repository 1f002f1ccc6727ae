#pragma once
// The `pagerduty` channel (product.md §9): PagerDuty's Events API v2. The
// API takes one event per request and has no batch, so a group is one
// request per alert:
//
//   {"routing_key": "…", "event_action": "trigger", "dedup_key": "sentinel:11:1a30ba71cca2921f",
//    "payload": {"summary": "High CPU: 97.5 > 90 on web-1", "source": "web-1 (10.0.0.5:9100)",
//                "severity": "critical", "timestamp": "2026-11-23T22:24:26Z", "group": "High CPU",
//                "custom_details": {"labels": {…}, "value": "97.5", "threshold": "90", "comparison": ">",
//                                   "description": "…"}},
//    "links": [{"href": "https://…/events/11", "text": "Open in Sentinel"}],
//    "client": "Sentinel", "client_url": "https://sentinel.example.com"}
//
// A resolve carries routing_key, event_action "resolve" and dedup_key only
// (the API ignores the rest of it). A repeat triggers again: PagerDuty
// folds it into the open alert of the same dedup_key.
#include <boost/json/object.hpp>
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

#include "notify/alert_group.hpp"
#include "notify/outbound_request.hpp"

namespace sentinel::notify {

inline constexpr std::string_view pagerduty_default_url = "https://events.pagerduty.com/v2/enqueue";
inline constexpr std::size_t pagerduty_max_summary = 1024;

// The alert's fingerprint as PagerDuty's dedup key:
// "sentinel:<event id>:<series fingerprint>". Trigger and resolve of one
// alert must share it whatever happens between them; the event id is the
// one identity nothing changes (the rule can be renamed, re-graded or
// deleted, the server registered), and the series fingerprint keeps the
// key readable next to the webhook's.
std::string pagerduty_dedup_key(const Notification& n);

// critical → critical, warning → warning, info → info; anything else
// (not a Sentinel severity) → warning.
std::string_view pagerduty_severity(std::string_view severity);

// One event for `n` (trigger unless the group is resolved).
boost::json::object pagerduty_event(const AlertGroup& group, const Notification& n, std::string_view routing_key);

// Settings: routing_key (a secret), api_url? (default above). One request
// per alert, all to one target. Fails with the settings' first problem.
std::expected<RequestPlan, std::string> pagerduty_requests(const boost::json::object& settings,
                                                           const AlertGroup& group);

}  // namespace sentinel::notify
