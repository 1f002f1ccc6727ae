#pragma once
// The `slack` channel (product.md §9): one POST to an incoming webhook with
// a Block Kit message:
//
//   {"text": "🔥 [FIRING:3] High CPU",                       (notification fallback)
//    "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "🔥 [FIRING:3] High CPU"}},
//               {"type": "section", "text": {"type": "mrkdwn", "text": "*3 alerts firing · critical*\n_…_"}},
//               {"type": "section", "text": {"type": "mrkdwn", "text": "*web-1 (10.0.0.5:9100)*\n97.5 > 90 since …"}},
//               …,
//               {"type": "context", "elements": [{"type": "mrkdwn", "text": "… and 254 more"}]},
//               {"type": "context", "elements": [{"type": "mrkdwn", "text": "<https://…|Open in Sentinel>"}]}]}
//
// Within Slack's limits: 50 blocks, 3000 characters of section text, 150 of
// header text. Every user value is escaped for mrkdwn, so a rule name
// cannot mention <!channel> or forge a link.
#include <boost/json/object.hpp>
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

#include "notify/alert_group.hpp"
#include "notify/outbound_request.hpp"

namespace sentinel::notify {

inline constexpr std::size_t slack_max_blocks = 50;
inline constexpr std::size_t slack_max_section_text = 3000;
inline constexpr std::size_t slack_max_header_text = 150;

// Slack's three control characters: & < > as &amp; &lt; &gt; (ill-formed
// UTF-8 replaced).
std::string slack_escape(std::string_view text);

// The message body. Never fails.
boost::json::object slack_message(const AlertGroup& group);

// Settings: webhook_url (a secret: the URL is the credential). Fails with
// the settings' first problem.
std::expected<RequestPlan, std::string> slack_requests(const boost::json::object& settings, const AlertGroup& group);

}  // namespace sentinel::notify
