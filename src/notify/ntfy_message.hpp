#pragma once
// The `ntfy` channel (product.md §9): one POST to the topic URL, the text
// as the body and the rest as ntfy's headers:
//
//   POST https://ntfy.example.com/alerts
//   Title: [FIRING:3] High CPU          (RFC 2047 when not ASCII: ntfy ≥ 2.4 decodes it)
//   Priority: 5                          (critical 5 "urgent", warning 4 "high", info 3 "default";
//                                         resolved 2 "low": good news need not wake anyone)
//   Tags: rotating_light,critical        (resolved: white_check_mark,resolved)
//   Click: https://sentinel.example.com/events?rule=7
//   Authorization: Bearer tk_…           (when a token is set)
//
//   3 alerts firing · critical
//   web-1 (10.0.0.5:9100): 97.5 > 90 since 2026-11-23T22:24:26Z
//   …
//
// The body stays within ntfy's 4096 bytes (larger ones become attachments),
// cut with "… and N more" and never inside a UTF-8 sequence.
#include <boost/json/object.hpp>
#include <cstddef>
#include <expected>
#include <optional>
#include <string>

#include "notify/alert_group.hpp"
#include "notify/outbound_request.hpp"

namespace sentinel::notify {

inline constexpr std::size_t ntfy_max_message_bytes = 4096;

struct NtfyMessage {
  std::string title;  // plain text; encoded for the header by ntfy_requests
  std::string body;
  int priority = 3;   // 1..5
  std::string tags;   // comma-separated: emoji short codes and words
  std::optional<std::string> click;
};

// Never fails.
NtfyMessage ntfy_message(const AlertGroup& group);

// Settings: url (server and topic; the topic acts as a password, so the
// path is a secret), token? (a secret). Fails with the settings' first
// problem.
std::expected<RequestPlan, std::string> ntfy_requests(const boost::json::object& settings, const AlertGroup& group);

}  // namespace sentinel::notify
