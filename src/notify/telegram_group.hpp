#pragma once
// A group of alerts as one Telegram sendMessage (HTML parse mode), e.g.
//
//   🔥 <b>FIRING</b> · <b>High CPU</b> · 3 alerts
//   Severity: critical
//   <i>front web servers</i>
//   • <b>web-1 (10.0.0.5:9100)</b>: 97.5 &gt; 90 since 2026-11-23T22:24:26Z
//   • …
//   … and 297 more
//   <a href="https://sentinel.example.com/events?rule=7">Open in Sentinel</a>
//
// A group of one reads as format_telegram_message() (every detail of the
// one alert) plus the link. Within Telegram's 4096 characters: series that
// do not fit are counted in "… and N more".
#include <boost/json/object.hpp>
#include <cstddef>
#include <expected>
#include <string>

#include "notify/alert_group.hpp"
#include "notify/outbound_request.hpp"
#include "notify/telegram_html.hpp"

namespace sentinel::notify {

// The message text, at most `limit` visible characters. Never fails.
std::string format_telegram_group(const AlertGroup& group, std::size_t limit = telegram_max_text_length);

// Settings (§9): bot_token, chat_id (string or number), message_thread_id?,
// api_url? (default https://api.telegram.org), and for the environment's
// channel silent_resolved (a boolean). One sendMessage; the token
// is a secret of the request. Fails with the settings' first problem.
std::expected<RequestPlan, std::string> telegram_requests(const boost::json::object& settings,
                                                          const AlertGroup& group);

}  // namespace sentinel::notify
