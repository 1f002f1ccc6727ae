#pragma once
// The `email` channel's message (product.md §9): one RFC 5322 message per
// group, to every recipient at once, multipart/alternative with a plain
// text and an HTML part:
//
//   From: Sentinel <alerts@example.com>
//   To: ops@example.com, oncall@example.com
//   Subject: [FIRING:3] High CPU                 (RFC 2047 encoded-words when not ASCII)
//   Date: Mon, 23 Nov 2026 22:24:26 +0000
//   Message-ID: <sentinel.7.1a30ba71cca2921f.1795472666@example.com>
//   MIME-Version: 1.0
//   Auto-Submitted: auto-generated               (RFC 3834: no vacation replies to alerts)
//   Content-Type: multipart/alternative; boundary="=_sentinel_…"
//
//   --=_sentinel_…
//   Content-Type: text/plain; charset=utf-8
//   Content-Transfer-Encoding: quoted-printable
//   …
//
// CRLF line ends, bodies quoted-printable (no line over 76 characters; a
// boundary starting "=_" can never appear in quoted-printable text), every
// value in the HTML escaped.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "notify/alert_group.hpp"

namespace sentinel::notify {

// More series than this are counted in "… and N more" (a mail stays readable).
inline constexpr std::size_t email_max_series = 500;

// The address of a mailbox: "a@example.com" or "Name <a@example.com>" →
// "a@example.com". nullopt unless it is one plain ASCII address (a local
// part and a domain, no blanks, quotes, brackets, commas or control
// characters): what goes to MAIL FROM / RCPT TO must not carry SMTP syntax.
std::optional<std::string> mailbox_address(std::string_view mailbox);

// The From/To form of a mailbox: the address, with its display name quoted
// or RFC 2047-encoded as needed ("Sentinel <a@example.com>"). Assumes
// mailbox_address() accepted it.
std::string mailbox_header(std::string_view mailbox);

// "Mon, 23 Nov 2026 22:24:26 +0000"
std::string rfc5322_date(core::Timestamp t);

struct EmailContent {
  std::string subject;  // plain, not yet encoded
  std::string text;     // "\n" line ends
  std::string html;
};

// Subject, text and HTML of a group. Never fails.
EmailContent email_content(const AlertGroup& group);

// The whole message, ready for DATA. `from` and `to` as the settings give
// them (mailboxes mailbox_address() accepts).
std::string email_message(const AlertGroup& group, std::string_view from, const std::vector<std::string>& to);

}  // namespace sentinel::notify
