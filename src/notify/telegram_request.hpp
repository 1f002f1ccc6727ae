#pragma once
// The Bot API sendMessage call as data: the URL, the JSON body, and what
// Telegram's answer means for the outbox. No I/O here; the dispatcher sends
// the request with http_client and hands the answer back to
// classify_telegram_response().
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "notify/delivery_result.hpp"
#include "notify/notification.hpp"

namespace sentinel::notify {

struct TelegramTarget {
  std::string chat_id;                            // TELEGRAM_CHAT_ID: "-100123…" or "@channel"
  std::optional<std::int64_t> message_thread_id;  // TELEGRAM_MESSAGE_THREAD_ID (forum topic)
  bool silent_resolved = false;                   // TELEGRAM_SILENT_RESOLVED
};

// TELEGRAM_API_URL + "/bot<token>/sendMessage" (a trailing '/' of the base is
// dropped). Holds the token: never log it, see redact_token().
std::string telegram_send_message_url(std::string_view api_url, std::string_view token);

// The sendMessage JSON body: chat_id (a number when the id is one, else the
// string), text, parse_mode "HTML", disable_web_page_preview true,
// message_thread_id when set, disable_notification true for a resolved
// notification when `silent_resolved`.
std::string telegram_send_message_body(const TelegramTarget& target, std::string_view html_text,
                                       NotificationKind kind);

// Telegram's answer to sendMessage:
//   2xx with "ok": true          → delivered (message_id from "result")
//   429                          → retry, retry_after from "parameters.retry_after" (at least 1 s)
//   5xx                          → retry
//   other statuses (4xx, 3xx, …) → failed with Telegram's "description"
//                                  (a group migrated to a supergroup names the new chat id)
//   2xx that is not a Bot API "ok" answer → retry: it may not have been sent,
//                                  and a duplicate beats a lost alert
// Never throws, whatever the body holds.
DeliveryResult classify_telegram_response(long http_status, std::string_view body);

// `text` with every occurrence of `token`, raw or percent-encoded (curl
// messages and URLs may hold either), replaced by "<redacted>". An empty
// token changes nothing.
std::string redact_token(std::string text, std::string_view token);

}  // namespace sentinel::notify
