#pragma once
// The Telegram text of a notification (HTML parse mode), e.g.
//
//   🔥 <b>FIRING</b> · <b>High CPU</b>
//   Server: <b>web-1</b> (<code>10.0.0.5:9100</code>)
//   Value: <b>95.33</b> · threshold &gt; 90
//   Severity: critical
//   Started: 2026-11-23T22:24:26Z
//   Labels: <code>{mountpoint="/"}</code>
//   <i>front web server</i>
//
// Heading per kind: "🔥 FIRING", "🔁 STILL FIRING" (with "Firing for: 2h 5m"
// when Notification::now is set), "✅ RESOLVED" (with "Resolved: <time>
// (after 1h 5m)"). Every value that comes from a user or an exporter (rule
// and server names, labels, message, description) is escaped.
#include <cstddef>
#include <string>
#include <string_view>

#include "notify/notification.hpp"
#include "notify/telegram_html.hpp"

namespace sentinel::notify {

// "🔥 <b>FIRING</b>", "🔁 <b>STILL FIRING</b>", "✅ <b>RESOLVED</b>".
std::string_view telegram_heading(NotificationKind kind);

// The message, already cut to `limit` visible characters (see
// truncate_telegram_html). Never fails.
std::string format_telegram_message(const Notification& n, std::size_t limit = telegram_max_text_length);

}  // namespace sentinel::notify
