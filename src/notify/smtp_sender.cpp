#include "notify/smtp_sender.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

#include "notify/outbound_request.hpp"

namespace sentinel::notify {

namespace {

// curl_global_init is not thread-safe: once per process (it counts, so
// http_client's own call is no conflict).
void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t read_message(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, up->data.size() - up->offset);
  std::memcpy(buffer, up->data.data() + up->offset, n);
  up->offset += n;
  return n;
}

// Keeps the server's last error reply ("550 5.1.1 <x@y>: user unknown").
// Only what the server sends is read (CURLINFO_HEADER_IN): what we send,
// AUTH included, never passes here.
int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN || size < 3 || (data[0] != '4' && data[0] != '5')) return 0;
  auto* reply = static_cast<std::string*>(user);
  reply->assign(data, std::min<std::size_t>(size, 300));
  while (!reply->empty() && (reply->back() == '\n' || reply->back() == '\r')) reply->pop_back();
  return 0;
}

struct EasyDeleter {
  void operator()(CURL* e) const { curl_easy_cleanup(e); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

DeliveryResult result(DeliveryStatus status, const SmtpTarget& target, const std::string& detail) {
  std::vector<std::string> secrets;
  if (target.password) secrets.push_back(*target.password);
  if (target.username) secrets.push_back(*target.username);
  DeliveryResult r;
  r.status = status;
  r.detail = bounded_detail(
      redact_secrets("SMTP (" + target.host + ":" + std::to_string(target.port) + "): " + detail, secrets));
  return r;
}

bool permanent_without_reply(int code) {
  switch (static_cast<CURLcode>(code)) {
    case CURLE_LOGIN_DENIED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_REMOTE_ACCESS_DENIED:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::optional<SmtpSecurity> parse_smtp_security(std::string_view s) {
  if (s == "starttls") return SmtpSecurity::starttls;
  if (s == "tls") return SmtpSecurity::tls;
  if (s == "none") return SmtpSecurity::none;
  return std::nullopt;
}

std::uint16_t default_smtp_port(SmtpSecurity security) {
  switch (security) {
    case SmtpSecurity::starttls: return 587;
    case SmtpSecurity::tls: return 465;
    case SmtpSecurity::none: return 25;
  }
  return 587;
}

std::string smtp_url(const SmtpTarget& target) {
  const bool ipv6 = target.host.find(':') != std::string::npos;
  const std::string host = ipv6 ? "[" + target.host + "]" : target.host;
  return std::string(target.security == SmtpSecurity::tls ? "smtps://" : "smtp://") + host + ":" +
         std::to_string(target.port);
}

DeliveryResult classify_smtp_result(const SmtpOutcome& outcome, const SmtpTarget& target) {
  if (outcome.curl_code == CURLE_OK) return DeliveryResult{DeliveryStatus::delivered, {}, {}, {}};
  const std::string reply = outcome.reply.empty() ? std::to_string(outcome.smtp_code) : outcome.reply;
  const std::string why = outcome.curl_error.empty() ? "" : " (" + outcome.curl_error + ")";
  if (outcome.smtp_code >= 400 && outcome.smtp_code < 500)
    return result(DeliveryStatus::retry, target, "the server answered " + reply + why);
  if (outcome.smtp_code >= 500 && outcome.smtp_code < 600)
    return result(DeliveryStatus::failed, target, "the server answered " + reply + why);
  const std::string error =
      outcome.curl_error.empty() ? curl_easy_strerror(static_cast<CURLcode>(outcome.curl_code)) : outcome.curl_error;
  return result(permanent_without_reply(outcome.curl_code) ? DeliveryStatus::failed : DeliveryStatus::retry, target,
                error);
}

DeliveryResult send_smtp(const SmtpTarget& target, std::string_view message, std::chrono::milliseconds timeout) {
  global_init_once();
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) return result(DeliveryStatus::retry, target, "could not start a transfer");
  CURL* e = easy.get();

  curl_slist* list = nullptr;
  for (const auto& to : target.recipients) {
    curl_slist* next = curl_slist_append(list, ("<" + to + ">").c_str());
    if (next == nullptr) {
      curl_slist_free_all(list);
      return result(DeliveryStatus::retry, target, "out of memory");
    }
    list = next;
  }
  const std::unique_ptr<curl_slist, SlistDeleter> rcpt(list);
  Upload upload{message, 0};
  std::string reply;
  char error_buffer[CURL_ERROR_SIZE] = {};
  const std::string url = smtp_url(target);
  const std::string from = "<" + target.mail_from + ">";

  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(e, CURLOPT_USE_SSL,
                   static_cast<long>(target.security == SmtpSecurity::none ? CURLUSESSL_NONE : CURLUSESSL_ALL));
  if (target.username) curl_easy_setopt(e, CURLOPT_USERNAME, target.username->c_str());
  if (target.password) curl_easy_setopt(e, CURLOPT_PASSWORD, target.password->c_str());
  curl_easy_setopt(e, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt.get());
#if LIBCURL_VERSION_NUM >= 0x080200
  curl_easy_setopt(e, CURLOPT_MAIL_RCPT_ALLOWFAILS, 1L);
#elif LIBCURL_VERSION_NUM >= 0x074500
  curl_easy_setopt(e, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
#endif
  curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(e, CURLOPT_READFUNCTION, &read_message);
  curl_easy_setopt(e, CURLOPT_READDATA, &upload);
  curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<std::int64_t>(timeout.count(), 10000)));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer);
  // Verbose only to read the server's replies (on_debug); nothing is printed.
  curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, &on_debug);
  curl_easy_setopt(e, CURLOPT_DEBUGDATA, &reply);
  curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);

  SmtpOutcome outcome;
  outcome.curl_code = static_cast<int>(curl_easy_perform(e));
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &outcome.smtp_code);
  outcome.reply = std::move(reply);
  outcome.curl_error = error_buffer;
  return classify_smtp_result(outcome, target);
}

}  // namespace sentinel::notify
