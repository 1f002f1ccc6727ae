#include "notify/email_message.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <map>

#include "domain/label_fingerprint.hpp"
#include "notify/event_text.hpp"
#include "notify/mime_encoding.hpp"
#include "notify/telegram_html.hpp"
#include "notify/text_limits.hpp"

namespace sentinel::notify {

namespace {

constexpr std::string_view crlf = "\r\n";

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Display name and address part of "Name <a@b>" (name empty for a bare address).
std::pair<std::string_view, std::string_view> split_mailbox(std::string_view mailbox) {
  mailbox = trimmed(mailbox);
  const auto open = mailbox.rfind('<');
  if (open == std::string_view::npos || !mailbox.ends_with('>')) return {{}, mailbox};
  std::string_view name = trimmed(mailbox.substr(0, open));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
  return {name, mailbox.substr(open + 1, mailbox.size() - open - 2)};
}

bool address_char(char c) {
  const auto b = static_cast<unsigned char>(c);
  if (b <= 0x20 || b >= 0x7F) return false;
  return std::string_view("\"(),:;<>[\\]").find(c) == std::string_view::npos;
}

// RFC 5322 atext plus blanks: a display name that needs no quotes.
bool plain_phrase(std::string_view s) {
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    const bool alnum = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
    if (!alnum && std::string_view(" !#$%&'*+-/=?^_`{|}~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool printable_ascii(std::string_view s) {
  for (const char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) return false;
  return true;
}

// "Name: value" folded after commas so no line passes 78 characters where it can be helped.
std::string address_list_header(std::string_view name, const std::vector<std::string>& mailboxes) {
  std::string out(name);
  out += ":";
  std::size_t line = out.size();
  for (std::size_t i = 0; i < mailboxes.size(); ++i) {
    const std::string m = mailbox_header(mailboxes[i]);
    const std::string piece = (i + 1 < mailboxes.size()) ? m + "," : m;
    if (line + 1 + piece.size() > 78 && i > 0) {
      out += "\r\n ";
      line = 1;
    } else {
      out += ' ';
      ++line;
    }
    out += piece;
    line += piece.size();
  }
  return out;
}

std::string text_body(const AlertGroup& group, const std::vector<SeriesText>& rows, std::size_t left_out) {
  std::string out = group_title(group) + "\n" + group_summary(group) + "\n";
  if (const auto d = group_description(group)) out += *d + "\n";
  out += "\n";
  for (std::size_t i = 0; i < rows.size(); ++i) out += "- " + series_line(rows[i]) + "\n";
  if (left_out > 0) out += and_more(left_out) + "\n";
  if (const auto link = group_link(group)) out += "\n" + std::string(console_link_text) + ": " + *link + "\n";
  return out;
}

std::string html_cell(std::string_view text) { return "<td>" + html_escape(text) + "</td>"; }

std::string html_body(const AlertGroup& group, const std::vector<SeriesText>& rows, std::size_t left_out) {
  const bool resolved = group.kind == NotificationKind::resolved;
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html_escape(group_title(group)) +
      "</title></head>\n<body style=\"font-family: sans-serif\">\n<h2 style=\"color: " +
      (resolved ? "#1e8449" : "#c0392b") + "\">" + std::string(kind_emoji(group.kind)) + " " +
      html_escape(group_title(group)) + "</h2>\n<p>" + html_escape(group_summary(group)) + "</p>\n";
  if (const auto d = group_description(group)) out += "<p><i>" + html_escape(*d) + "</i></p>\n";
  out +=
      "<table cellpadding=\"4\" border=\"1\" style=\"border-collapse: collapse\">\n"
      "<tr><th align=\"left\">Server</th><th align=\"left\">Value</th><th align=\"left\">Since</th>"
      "<th align=\"left\">Labels</th></tr>\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const SeriesText& t = rows[i];
    std::string who = html_escape(t.subject.empty() ? "-" : t.subject);
    if (const auto link = event_link(group, group.alerts[i])) who = "<a href=\"" + html_escape(*link) + "\">" + who + "</a>";
    const std::string since = t.duration.empty() ? t.since : t.since + ", " + t.duration;
    out += "<tr><td>" + who + "</td>" + html_cell(t.value) + html_cell(since) + "<td><code>" +
           html_escape(t.labels) + "</code></td></tr>\n";
  }
  out += "</table>\n";
  if (left_out > 0) out += "<p>" + html_escape(and_more(left_out)) + "</p>\n";
  if (const auto link = group_link(group))
    out += "<p><a href=\"" + html_escape(*link) + "\">" + std::string(console_link_text) + "</a></p>\n";
  out += "</body></html>\n";
  return out;
}

// A stable hash of what the message is about: a retry of the same group
// gets the same Message-ID (receivers drop the duplicate) and boundary.
std::string group_hash(const AlertGroup& group) {
  std::string events;
  for (const auto& n : group.alerts) events += std::to_string(n.event.id) + "," + n.event.fingerprint + ";";
  return domain::label_fingerprint({{"kind", std::string(to_string(group.kind))},
                                    {"events", events},
                                    {"now", std::to_string(core::to_unix(group.now))}});
}

std::string part(std::string_view content_type, std::string_view body) {
  std::string out = "Content-Type: ";
  out += content_type;
  out += "; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += quoted_printable(body);
  out += crlf;
  return out;
}

}  // namespace

std::optional<std::string> mailbox_address(std::string_view mailbox) {
  const auto [name, address] = split_mailbox(mailbox);
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size() || address.size() > 254) return std::nullopt;
  for (const char c : address)
    if (!address_char(c)) return std::nullopt;
  if (address.find('@') != at) return std::nullopt;
  for (const char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return std::nullopt;
  return std::string(address);
}

std::string mailbox_header(std::string_view mailbox) {
  const auto [name, address] = split_mailbox(mailbox);
  if (name.empty()) return std::string(address);
  std::string display;
  if (plain_phrase(name)) {
    display = name;
  } else if (printable_ascii(name) && name.find("=?") == std::string_view::npos) {
    display = "\"";
    for (const char c : name) {
      if (c == '"' || c == '\\') display += '\\';
      display += c;
    }
    display += '"';
  } else {
    display = encode_header_value(name, "\r\n ", 0);  // folded between words: a long name keeps lines short
  }
  return display + " <" + std::string(address) + ">";
}

std::string rfc5322_date(core::Timestamp t) {
  using namespace std::chrono;
  static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = floor<std::chrono::days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  const weekday wd{day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000", days[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), months[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

EmailContent email_content(const AlertGroup& group) {
  const std::size_t shown = items_to_show(group.alerts.size(), email_max_series);
  std::vector<SeriesText> rows;
  rows.reserve(shown);
  for (std::size_t i = 0; i < shown; ++i) rows.push_back(series_text(group.alerts[i]));
  const std::size_t left_out = group.alerts.size() - shown;
  return EmailContent{group_title(group), text_body(group, rows, left_out), html_body(group, rows, left_out)};
}

std::string email_message(const AlertGroup& group, std::string_view from, const std::vector<std::string>& to) {
  const EmailContent content = email_content(group);
  const std::string hash = group_hash(group);
  const std::string from_address = mailbox_address(from).value_or("sentinel@localhost");
  const std::string domain = from_address.substr(from_address.rfind('@') + 1);
  const std::string rule = group.alerts.empty() || !group.alerts.front().event.rule_id
                               ? std::string("0")
                               : std::to_string(*group.alerts.front().event.rule_id);
  const std::string boundary = "=_sentinel_" + hash;

  std::string m;
  m += "From: " + mailbox_header(from) + "\r\n";
  m += address_list_header("To", to) + "\r\n";
  m += "Subject: " + encode_header_value(content.subject) + "\r\n";
  m += "Date: " + rfc5322_date(group.now) + "\r\n";
  m += "Message-ID: <sentinel." + rule + "." + hash + "." + std::to_string(core::to_unix(group.now)) + "@" + domain +
       ">\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n";
  m += "\r\n";
  m += "--" + boundary + "\r\n";
  m += part("text/plain", content.text);
  m += "--" + boundary + "\r\n";
  m += part("text/html", content.html);
  m += "--" + boundary + "--\r\n";
  return m;
}

}  // namespace sentinel::notify
