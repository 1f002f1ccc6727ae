#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "group_fixture.hpp"
#include "notify/email_channel.hpp"
#include "notify/email_message.hpp"

namespace sentinel::notify {
namespace {

using testing::sample_group;
using testing::settings;

// Quoted-printable back to text, enough to read what the tests wrote.
std::string decode_qp(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '=' && i + 2 < s.size() && s[i + 1] == '\r' && s[i + 2] == '\n') {
      i += 2;
    } else if (s[i] == '=' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string header(const std::string& message, const std::string& name) {
  const auto start = message.find("\r\n" + name + ": ");
  if (start == std::string::npos) return message.starts_with(name + ": ") ? message.substr(name.size() + 2, message.find("\r\n") - name.size() - 2) : "";
  const auto from = start + 2 + name.size() + 2;
  std::string value;
  std::size_t pos = from;
  while (true) {  // unfold
    const auto end = message.find("\r\n", pos);
    value += message.substr(pos, end - pos);
    if (message[end + 2] != ' ' && message[end + 2] != '\t') break;
    pos = end + 2;
  }
  return value;
}

struct Parts {
  std::string headers;
  std::string boundary;
  std::vector<std::string> parts;  // each with its own headers
};

Parts split(const std::string& m) {
  Parts p;
  const auto end = m.find("\r\n\r\n");
  p.headers = m.substr(0, end + 2);
  const std::string ct = header(m, "Content-Type");
  const auto b = ct.find("boundary=\"");
  p.boundary = ct.substr(b + 10, ct.size() - b - 11);
  const std::string delimiter = "--" + p.boundary;
  std::size_t pos = m.find(delimiter + "\r\n", end);
  while (pos != std::string::npos) {
    const auto start = pos + delimiter.size() + 2;
    const auto next = m.find("\r\n" + delimiter, start);
    if (next == std::string::npos) break;
    p.parts.push_back(m.substr(start, next - start));
    pos = m.compare(next + 2, delimiter.size() + 2, delimiter + "--") == 0 ? std::string::npos : next + 2;
  }
  return p;
}

const std::vector<std::string> two = {"ops@example.com", "Oncall <oncall@example.com>"};

TEST(EmailMessage, HeadersOfOneMessageToEveryone) {
  const std::string m = email_message(sample_group(3), "Sentinel <alerts@example.com>", two);
  EXPECT_TRUE(m.starts_with("From: Sentinel <alerts@example.com>\r\n")) << m.substr(0, 200);
  EXPECT_EQ(header(m, "To"), "ops@example.com, Oncall <oncall@example.com>");
  EXPECT_EQ(header(m, "Subject"), "[FIRING:3] High CPU");
  EXPECT_EQ(header(m, "Date"), "Mon, 23 Nov 2026 22:29:26 +0000");
  EXPECT_TRUE(header(m, "Message-ID").starts_with("<sentinel.7.")) << header(m, "Message-ID");
  EXPECT_TRUE(header(m, "Message-ID").ends_with(".1795472966@example.com>"));
  EXPECT_EQ(header(m, "MIME-Version"), "1.0");
  EXPECT_EQ(header(m, "Auto-Submitted"), "auto-generated");
  EXPECT_TRUE(header(m, "Content-Type").starts_with("multipart/alternative; boundary=\"=_sentinel_"));
}

TEST(EmailMessage, CrlfEverywhereAndShortLines) {
  auto g = sample_group(300);
  g.alerts[0].description = std::string(5000, 'd');
  const std::string m = email_message(g, "alerts@example.com", two);
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\n') {
      ASSERT_TRUE(i > 0 && m[i - 1] == '\r') << "bare LF at " << i;
    }
    if (m[i] == '\r') {
      ASSERT_TRUE(i + 1 < m.size() && m[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  std::size_t start = 0;
  while (start < m.size()) {
    const auto end = m.find("\r\n", start);
    EXPECT_LE(end - start, 998u);
    EXPECT_LE(end - start, 78u) << m.substr(start, end - start);
    start = end + 2;
  }
  EXPECT_TRUE(m.ends_with("--\r\n"));
}

TEST(EmailMessage, MultipartAlternativeTextThenHtml) {
  const std::string m = email_message(sample_group(2), "alerts@example.com", two);
  const Parts p = split(m);
  ASSERT_EQ(p.parts.size(), 2u) << m;
  EXPECT_TRUE(p.parts[0].starts_with(
      "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"));
  EXPECT_TRUE(p.parts[1].starts_with(
      "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"));
  EXPECT_NE(m.find("\r\n--" + p.boundary + "--\r\n"), std::string::npos);
  const std::string text = decode_qp(p.parts[0].substr(p.parts[0].find("\r\n\r\n") + 4));
  EXPECT_EQ(text,
            "[FIRING:2] High CPU\r\n2 alerts firing \xC2\xB7 critical\r\n\r\n"
            "- web-1 (10.0.0.1:9100): 95.33 > 90 since 2026-11-23T22:24:26Z {job=\"node\"}\r\n"
            "- web-2 (10.0.0.2:9100): 95.33 > 90 since 2026-11-23T22:24:26Z {job=\"node\"}\r\n\r\n"
            "Open in Sentinel: https://sentinel.example.com/events?rule=7\r\n");
  const std::string html = decode_qp(p.parts[1].substr(p.parts[1].find("\r\n\r\n") + 4));
  EXPECT_NE(html.find("<a href=\"https://sentinel.example.com/events/101\">web-1 (10.0.0.1:9100)</a>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<td>95.33 &gt; 90</td>"), std::string::npos) << html;
}

TEST(EmailMessage, EveryValueIsHtmlEscaped) {
  auto g = sample_group(2);
  g.alerts[0].event.rule_name = "<script>alert(1)</script>";
  g.alerts[0].server_name = "<img src=x onerror=alert(1)>";
  g.alerts[0].description = "\"quoted\" & <b>bold</b>";
  g.alerts[1].event.labels["path"] = "</code><script>";
  const std::string m = email_message(g, "alerts@example.com", two);
  const Parts p = split(m);
  const std::string html = decode_qp(p.parts[1].substr(p.parts[1].find("\r\n\r\n") + 4));
  EXPECT_EQ(html.find("<script>"), std::string::npos) << html;
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;quoted&quot; &amp; &lt;b&gt;"), std::string::npos);
}

TEST(EmailMessage, NonAsciiSubjectAndNameAreEncoded) {
  auto g = sample_group(1);
  g.alerts[0].event.rule_name = "Température élevée";
  const std::string m = email_message(g, "Сентинел <alerts@example.com>", {"ops@example.com"});
  EXPECT_EQ(header(m, "Subject"), "=?UTF-8?B?W0ZJUklORzoxXSBUZW1ww6lyYXR1cmUgw6lsZXbDqWU=?=");
  EXPECT_TRUE(m.starts_with("From: =?UTF-8?B?0KHQtdC90YLQuNC90LXQuw==?= <alerts@example.com>\r\n"))
      << m.substr(0, 100);
  const std::string headers = m.substr(0, m.find("\r\n\r\n"));
  for (const char c : headers) EXPECT_LT(static_cast<unsigned char>(c), 0x80u);
}

TEST(EmailMessage, ALongNonAsciiNameIsFolded) {
  std::string name;
  for (int i = 0; i < 100; ++i) name += "\xC3\xA9";  // é
  const std::string m = email_message(sample_group(1), name + " <alerts@example.com>", {"ops@example.com"});
  const std::string from_line = m.substr(0, m.find("\r\nTo: "));
  EXPECT_NE(from_line.find("?=\r\n =?UTF-8?B?"), std::string::npos) << from_line;
  std::size_t start = 0;
  while (start < from_line.size()) {
    const auto end = std::min(from_line.find("\r\n", start), from_line.size());
    EXPECT_LE(end - start, 78u);
    start = end + 2;
  }
}

TEST(EmailMessage, AQuotedDisplayName) {
  EXPECT_EQ(mailbox_header("Ops, Team <ops@example.com>"), "\"Ops, Team\" <ops@example.com>");
  EXPECT_EQ(mailbox_header("\"Ops\" <ops@example.com>"), "Ops <ops@example.com>");
  EXPECT_EQ(mailbox_header("ops@example.com"), "ops@example.com");
}

TEST(EmailMessage, ManyRecipientsAreFolded) {
  std::vector<std::string> to;
  for (int i = 0; i < 50; ++i) to.push_back("person" + std::to_string(i) + "@example.com");
  const std::string m = email_message(sample_group(1), "alerts@example.com", to);
  const std::string value = header(m, "To");
  EXPECT_NE(value.find("person0@example.com,"), std::string::npos);
  EXPECT_NE(value.find("person49@example.com"), std::string::npos);
  EXPECT_NE(m.find(",\r\n person"), std::string::npos);
}

TEST(MailboxAddress, PlainAddressesOnly) {
  EXPECT_EQ(mailbox_address("a@example.com"), "a@example.com");
  EXPECT_EQ(mailbox_address(" Name <a.b+c@example.com> "), "a.b+c@example.com");
  for (const char* bad : {"", "nobody", "@example.com", "a@", "a b@example.com", "a@b@c", "<a@b>x", "a@exa\rmple.com",
                          "\"a\"@example.com", "a,b@example.com", "a@example.com>"})
    EXPECT_EQ(mailbox_address(bad), std::nullopt) << bad;
}

TEST(Rfc5322Date, DayAndMonthNames) {
  EXPECT_EQ(rfc5322_date(core::from_unix(0)), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(rfc5322_date(core::from_unix(1709251199)), "Thu, 29 Feb 2024 23:59:59 +0000");
}

TEST(EmailPlan, SettingsToTargetAndMessage) {
  auto plan = email_plan(settings(R"({"smtp_host": "mail.example.com", "security": "tls", "username": "u",
                                      "password": "p", "from": "Sentinel <alerts@example.com>",
                                      "to": ["a@example.com", "B <b@example.com>"]})"),
                         sample_group(1));
  ASSERT_TRUE(plan) << plan.error();
  EXPECT_EQ(plan->target.host, "mail.example.com");
  EXPECT_EQ(plan->target.port, 465);
  EXPECT_EQ(plan->target.security, SmtpSecurity::tls);
  EXPECT_EQ(plan->target.mail_from, "alerts@example.com");
  EXPECT_EQ(plan->target.recipients, (std::vector<std::string>{"a@example.com", "b@example.com"}));
  EXPECT_NE(plan->message.find("To: a@example.com, B <b@example.com>\r\n"), std::string::npos);
  plan = email_plan(settings(R"({"smtp_host": "h", "smtp_port": 2525, "from": "a@b.c", "to": "x@y.z"})"),
                    sample_group(1));
  ASSERT_TRUE(plan) << plan.error();
  EXPECT_EQ(plan->target.port, 2525);
  EXPECT_EQ(plan->target.security, SmtpSecurity::starttls);
}

TEST(EmailPlan, BadSettings) {
  const auto g = sample_group(1);
  EXPECT_EQ(email_plan(settings(R"({"from": "a@b.c", "to": ["x@y.z"]})"), g).error(), "smtp_host is required");
  EXPECT_EQ(email_plan(settings(R"({"smtp_host": "h", "security": "ssl", "from": "a@b.c", "to": ["x@y.z"]})"), g)
                .error(),
            "security must be one of starttls, tls, none");
  EXPECT_EQ(email_plan(settings(R"({"smtp_host": "h", "smtp_port": 70000, "from": "a@b.c", "to": ["x@y.z"]})"), g)
                .error(),
            "smtp_port must be between 1 and 65535");
  EXPECT_EQ(email_plan(settings(R"({"smtp_host": "h", "from": "nobody", "to": ["x@y.z"]})"), g).error(),
            "from must be an email address");
  EXPECT_EQ(email_plan(settings(R"({"smtp_host": "h", "from": "a@b.c", "to": ["x@y.z", "bad"]})"), g).error(),
            "to must hold email addresses");
  EXPECT_EQ(email_plan(settings(R"({"smtp_host": "h", "from": "a@b.c"})"), g).error(), "to is required");
}

}  // namespace
}  // namespace sentinel::notify
