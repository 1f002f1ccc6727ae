#pragma once
// Sending one email through SMTP with libcurl's easy interface. Blocking:
// the caller runs it on the BlockingPool (core/blocking.hpp), never on an
// I/O thread. The password is never logged nor put in a detail.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "notify/delivery_result.hpp"

namespace sentinel::notify {

enum class SmtpSecurity {
  starttls,  // smtp:// and STARTTLS required (CURLUSESSL_ALL): never a cleartext fallback
  tls,       // smtps://: TLS from the first byte (port 465)
  none,      // smtp:// in clear (a relay on localhost)
};

// "starttls" | "tls" | "none"
std::optional<SmtpSecurity> parse_smtp_security(std::string_view s);
// 587, 465, 25.
std::uint16_t default_smtp_port(SmtpSecurity security);

struct SmtpTarget {
  std::string host;
  std::uint16_t port = 587;
  SmtpSecurity security = SmtpSecurity::starttls;
  std::optional<std::string> username;  // AUTH when set
  std::optional<std::string> password;
  std::string mail_from;                // MAIL FROM: an address (mailbox_address())
  std::vector<std::string> recipients;  // RCPT TO, each an address
};

// "smtps://host:465" / "smtp://[::1]:25".
std::string smtp_url(const SmtpTarget& target);

// What a curl transfer came to, for classify_smtp_result().
struct SmtpOutcome {
  int curl_code = 0;        // CURLcode
  long smtp_code = 0;       // the server's last reply code (CURLINFO_RESPONSE_CODE), 0 if none
  std::string reply;        // the server's last reply line, if one was an error
  std::string curl_error;   // curl's error text
};

// CURLE_OK → delivered. A 4xx reply → retry (greylisting, mailbox busy, a
// full queue); a 5xx reply → failed (unknown user, relaying denied, auth
// refused). Without a reply: no connection, DNS, timeout, TLS handshake →
// retry; login refused, STARTTLS not offered, certificate not trusted, bad
// URL → failed. The detail names the server and its reply, with the
// username and password redacted.
DeliveryResult classify_smtp_result(const SmtpOutcome& outcome, const SmtpTarget& target);

// Sends `message` (RFC 5322, CRLF line ends) to every recipient in one
// transaction (a recipient the server refuses does not stop the others;
// all refused is a failure). At most `timeout` in all. Blocks. Never throws.
DeliveryResult send_smtp(const SmtpTarget& target, std::string_view message, std::chrono::milliseconds timeout);

}  // namespace sentinel::notify
