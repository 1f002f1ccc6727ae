#include "notify/http_answer.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>

#include "notify/retry_after.hpp"
#include "notify/telegram_request.hpp"
#include "notify/text_limits.hpp"

namespace sentinel::notify {

namespace {

constexpr std::size_t max_message_bytes = 300;

// "Slack (hooks.slack.com)": the host only; the path may be the credential.
std::string target_name(const OutboundRequest& r) {
  const std::string host = url_host(r.url);
  return host.empty() ? r.target : r.target + " (" + host + ")";
}

// "<target> (<host>): <own><their words>". Only the target's (or the
// transport's) words are searched for secrets: Sentinel's own ("webhook
// (host)", "HTTP 401") must not lose letters to a short token, which would
// also give the token away by the gap.
DeliveryResult result(const OutboundRequest& r, DeliveryStatus status, const std::string& own,
                      const std::string& theirs) {
  DeliveryResult out;
  out.status = status;
  out.detail = bounded_detail(target_name(r) + ": " + own + redact_secrets(theirs, r.secrets));
  return out;
}

std::string one_line(std::string_view text) {
  std::string out;
  for (const char c : text) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return cut_to_bytes(out, max_message_bytes);
}

// The target's own words about the failure, from the shapes services use:
// {"message"} (Discord, PagerDuty), {"error"} (ntfy), {"description"}
// (Telegram-like), {"errors": [...]} (PagerDuty), a JSON string
// (Alertmanager), or plain text (Slack: "invalid_payload").
std::string message_of(std::string_view body) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(body, ec);
  if (ec) return one_line(body);
  if (v.is_string()) return one_line(v.get_string());
  const auto* o = v.if_object();
  if (o == nullptr) return one_line(body);
  std::string out;
  for (const char* key : {"message", "error", "description", "detail"}) {
    if (const auto* m = o->if_contains(key); m != nullptr && m->is_string()) {
      out = std::string(m->get_string());
      break;
    }
  }
  if (const auto* errors = o->if_contains("errors"); errors != nullptr && errors->is_array()) {
    for (const auto& e : errors->get_array())
      if (e.is_string()) out += (out.empty() ? "" : "; ") + std::string(e.get_string());
  }
  return out.empty() ? one_line(body) : one_line(out);
}

// Discord's 429 body: {"retry_after": 1.234, ...}, seconds.
std::optional<std::chrono::seconds> body_retry_after(std::string_view body) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* m = v.get_object().if_contains("retry_after");
  if (m == nullptr || !m->is_number()) return std::nullopt;
  const double secs = m->to_number<double>(ec);
  if (ec || !std::isfinite(secs)) return std::nullopt;
  if (secs >= static_cast<double>(max_requested_wait.count())) return max_requested_wait;
  return bounded_requested_wait(static_cast<std::int64_t>(std::ceil(secs)));
}

}  // namespace

DeliveryResult classify_answer(const OutboundRequest& request, const HttpAnswer& answer, core::Timestamp now) {
  if (request.answer == AnswerStyle::telegram) {
    DeliveryResult r = classify_telegram_response(answer.status, answer.body);
    r.detail = bounded_detail(redact_secrets(std::move(r.detail), request.secrets));
    return r;
  }
  if (answer.status >= 200 && answer.status < 300) return DeliveryResult{DeliveryStatus::delivered, {}, {}, {}};

  std::string own = "HTTP " + std::to_string(answer.status);
  const std::string message = message_of(answer.body);
  if (!message.empty()) own += ": ";
  const bool throttled = answer.status == 429 || answer.status == 408;
  if (throttled || (answer.status >= 500 && answer.status < 600)) {
    DeliveryResult r = result(request, DeliveryStatus::retry, own, message);
    if (answer.retry_after) r.retry_after = parse_retry_after(*answer.retry_after, now);
    if (!r.retry_after && throttled) r.retry_after = body_retry_after(answer.body);
    return r;
  }
  return result(request, DeliveryStatus::failed, own, message);
}

DeliveryResult network_failure(const OutboundRequest& request, std::string_view message) {
  return result(request, DeliveryStatus::retry, {}, std::string(message));
}

}  // namespace sentinel::notify
