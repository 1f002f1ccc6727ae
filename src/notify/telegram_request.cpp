#include "notify/telegram_request.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>


namespace sentinel::notify {

namespace {

std::optional<std::int64_t> as_int64(std::string_view s) {
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return n;
}

void replace_all(std::string& text, std::string_view needle, std::string_view with) {
  if (needle.empty()) return;
  for (std::size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + with.size()))
    text.replace(pos, needle.size(), with);
}

std::string percent_encoded(std::string_view s, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    const bool unreserved = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += digits[b >> 4];
      out += digits[b & 0xF];
    }
  }
  return out;
}

const boost::json::value* member(const boost::json::value& v, std::string_view key) {
  const auto* obj = v.if_object();
  return obj ? obj->if_contains(key) : nullptr;
}

std::optional<std::int64_t> int_member(const boost::json::value& v, std::string_view key) {
  const auto* m = member(v, key);
  if (m == nullptr) return std::nullopt;
  if (m->is_int64()) return m->get_int64();
  if (m->is_uint64() && m->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(m->get_uint64());
  if (m->is_double() && std::fabs(m->get_double()) < 9e18) return static_cast<std::int64_t>(m->get_double());
  return std::nullopt;
}

std::string description_of(const boost::json::value& v, long http_status) {
  if (const auto* d = member(v, "description"); d != nullptr && d->is_string())
    return std::string(d->get_string());
  return "HTTP " + std::to_string(http_status);
}

DeliveryResult result(DeliveryStatus status, std::string detail) {
  DeliveryResult r;
  r.status = status;
  r.detail = bounded_detail("Telegram: " + detail);
  return r;
}

}  // namespace

std::string telegram_send_message_url(std::string_view api_url, std::string_view token) {
  while (!api_url.empty() && api_url.back() == '/') api_url.remove_suffix(1);
  std::string url(api_url);
  url += "/bot";
  url += token;
  url += "/sendMessage";
  return url;
}

std::string telegram_send_message_body(const TelegramTarget& target, std::string_view html_text,
                                       NotificationKind kind) {
  boost::json::object body;
  // A numeric id goes as a number: Telegram takes both, and some proxies and
  // fakes only the documented "Integer or String" in its natural form.
  if (const auto id = as_int64(target.chat_id))
    body["chat_id"] = *id;
  else
    body["chat_id"] = target.chat_id;
  if (target.message_thread_id) body["message_thread_id"] = *target.message_thread_id;
  body["text"] = html_text;
  body["parse_mode"] = "HTML";
  body["disable_web_page_preview"] = true;
  if (kind == NotificationKind::resolved && target.silent_resolved) body["disable_notification"] = true;
  return boost::json::serialize(body);
}

DeliveryResult classify_telegram_response(long http_status, std::string_view body) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(body, ec);
  const bool envelope = !ec && v.is_object();

  if (http_status >= 200 && http_status < 300) {
    const auto* ok = envelope ? member(v, "ok") : nullptr;
    if (ok != nullptr && ok->is_bool() && ok->get_bool()) {
      DeliveryResult r;
      r.status = DeliveryStatus::delivered;
      if (const auto* res = member(v, "result")) r.message_id = int_member(*res, "message_id");
      return r;
    }
    // "ok": false with a 2xx does not happen with the real API; trust its error_code if any.
    if (envelope) {
      if (const auto code = int_member(v, "error_code"); code && *code != http_status && *code >= 300)
        return classify_telegram_response(static_cast<long>(*code), body);
    }
    return result(DeliveryStatus::retry, "unexpected answer to sendMessage (HTTP " + std::to_string(http_status) +
                                             "): " + std::string(body.substr(0, 200)));
  }

  const std::string description = envelope ? description_of(v, http_status) : "HTTP " + std::to_string(http_status);
  if (http_status == 429) {
    DeliveryResult r = result(DeliveryStatus::retry, description);
    if (envelope) {
      if (const auto* params = member(v, "parameters")) {
        if (const auto after = int_member(*params, "retry_after"))
          r.retry_after = bounded_requested_wait(*after);
      }
    }
    return r;
  }
  if (http_status >= 500 && http_status < 600) return result(DeliveryStatus::retry, description);

  std::string detail = description;
  if (envelope) {
    if (const auto* params = member(v, "parameters")) {
      if (const auto to = int_member(*params, "migrate_to_chat_id"))
        detail += " (the group is now the supergroup " + std::to_string(*to) + ": set TELEGRAM_CHAT_ID to it)";
    }
  }
  return result(DeliveryStatus::failed, detail);
}

std::string redact_token(std::string text, std::string_view token) {
  if (token.empty()) return text;
  constexpr std::string_view mask = "<redacted>";
  replace_all(text, token, mask);
  replace_all(text, percent_encoded(token, true), mask);
  replace_all(text, percent_encoded(token, false), mask);
  return text;
}

}  // namespace sentinel::notify
