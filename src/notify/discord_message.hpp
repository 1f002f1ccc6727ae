#pragma once
// The `discord` channel (product.md §9): one POST to a Discord webhook:
//
//   {"content": "🔥 **[FIRING:3] High CPU**",
//    "embeds": [{"title": "[FIRING:3] High CPU", "url": "https://…/events?rule=7",
//                "description": "_front web servers_\n**web-1 (10.0.0.5:9100)**: 97.5 > 90 since …\n…\n… and 254 more",
//                "color": 15158332, "footer": {"text": "3 alerts firing · critical"},
//                "timestamp": "2026-11-23T22:24:26Z"}],
//    "allowed_mentions": {"parse": []}}
//
// Within Discord's limits (content 2000 characters, embed title 256,
// description 4096, all of an embed 6000). "allowed_mentions" with nothing
// to parse means no text in an alert can ping @everyone, a role or a user;
// user values are also markdown-escaped and their '@' defused, so none
// renders as a mention or a masked link either.
#include <boost/json/object.hpp>
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

#include "notify/alert_group.hpp"
#include "notify/outbound_request.hpp"

namespace sentinel::notify {

inline constexpr std::size_t discord_max_content = 2000;
inline constexpr std::size_t discord_max_title = 256;
inline constexpr std::size_t discord_max_description = 4096;
inline constexpr std::size_t discord_max_footer = 2048;
inline constexpr std::size_t discord_max_embed_total = 6000;

// Markdown characters (\ * _ ~ ` | [ ]) backslash-escaped (a '>' quotes
// only at a line's start, where no user value stands), '@' followed
// by a zero-width space, ill-formed UTF-8 replaced.
std::string discord_escape(std::string_view text);

// The message body. Never fails.
boost::json::object discord_message(const AlertGroup& group);

// Settings: webhook_url (a secret: the URL is the credential). Fails with
// the settings' first problem.
std::expected<RequestPlan, std::string> discord_requests(const boost::json::object& settings,
                                                         const AlertGroup& group);

}  // namespace sentinel::notify
