#include <curl/curl.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "notify/smtp_sender.hpp"
#include "smtp_stand_in.hpp"

namespace sentinel::notify {
namespace {

using std::chrono::milliseconds;
using testing::SmtpStandIn;
using Replies = std::map<std::string, std::string>;

SmtpTarget target(std::uint16_t port) {
  SmtpTarget t;
  t.host = "127.0.0.1";
  t.port = port;
  t.security = SmtpSecurity::none;
  t.mail_from = "alerts@example.com";
  t.recipients = {"a@example.com", "b@example.com"};
  return t;
}

const std::string message =
    "From: alerts@example.com\r\nTo: a@example.com, b@example.com\r\nSubject: test\r\n\r\nhello\r\n.\r\nend\r\n";

bool has(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

TEST(SmtpUrl, SchemeBySecurity) {
  auto t = target(25);
  EXPECT_EQ(smtp_url(t), "smtp://127.0.0.1:25");
  t.security = SmtpSecurity::tls;
  t.port = 465;
  EXPECT_EQ(smtp_url(t), "smtps://127.0.0.1:465");
  t.host = "::1";
  EXPECT_EQ(smtp_url(t), "smtps://[::1]:465");
  EXPECT_EQ(parse_smtp_security("starttls"), SmtpSecurity::starttls);
  EXPECT_EQ(parse_smtp_security("ssl"), std::nullopt);
  EXPECT_EQ(default_smtp_port(SmtpSecurity::starttls), 587);
}

TEST(ClassifySmtp, RepliesAndTransportErrors) {
  const auto t = target(25);
  EXPECT_EQ(classify_smtp_result({CURLE_OK, 250, "", ""}, t).status, DeliveryStatus::delivered);
  auto r = classify_smtp_result({CURLE_SEND_ERROR, 451, "451 4.7.1 greylisted, try later", ""}, t);
  EXPECT_EQ(r.status, DeliveryStatus::retry);
  EXPECT_EQ(r.detail, "SMTP (127.0.0.1:25): the server answered 451 4.7.1 greylisted, try later");
  r = classify_smtp_result({CURLE_RECV_ERROR, 550, "550 5.1.1 no such user", "RCPT failed: 550"}, t);
  EXPECT_EQ(r.status, DeliveryStatus::failed);
  EXPECT_EQ(r.detail, "SMTP (127.0.0.1:25): the server answered 550 5.1.1 no such user (RCPT failed: 550)");
  EXPECT_EQ(classify_smtp_result({CURLE_COULDNT_CONNECT, 0, "", ""}, t).status, DeliveryStatus::retry);
  EXPECT_EQ(classify_smtp_result({CURLE_OPERATION_TIMEDOUT, 0, "", ""}, t).status, DeliveryStatus::retry);
  EXPECT_EQ(classify_smtp_result({CURLE_COULDNT_RESOLVE_HOST, 0, "", ""}, t).status, DeliveryStatus::retry);
  EXPECT_EQ(classify_smtp_result({CURLE_LOGIN_DENIED, 0, "", ""}, t).status, DeliveryStatus::failed);
  EXPECT_EQ(classify_smtp_result({CURLE_USE_SSL_FAILED, 0, "", ""}, t).status, DeliveryStatus::failed);
  EXPECT_EQ(classify_smtp_result({CURLE_PEER_FAILED_VERIFICATION, 0, "", ""}, t).status, DeliveryStatus::failed);
}

TEST(ClassifySmtp, CredentialsNeverInTheDetail) {
  auto t = target(25);
  t.username = "mailer-user";
  t.password = "hunter2-secret";
  const auto r = classify_smtp_result(
      {CURLE_LOGIN_DENIED, 535, "535 5.7.8 hunter2-secret rejected for mailer-user", "Login denied"}, t);
  EXPECT_EQ(r.status, DeliveryStatus::failed);
  EXPECT_EQ(r.detail.find("hunter2-secret"), std::string::npos) << r.detail;
  EXPECT_EQ(r.detail.find("mailer-user"), std::string::npos) << r.detail;
}

TEST(SendSmtp, DeliversOneMessageToEveryRecipient) {
  SmtpStandIn server;
  const auto r = send_smtp(target(server.port()), message, milliseconds{5000});
  server.join();
  EXPECT_EQ(r.status, DeliveryStatus::delivered) << r.detail;
  EXPECT_TRUE(has(server.commands(), "MAIL FROM:<alerts@example.com>"));
  EXPECT_TRUE(has(server.commands(), "RCPT TO:<a@example.com>"));
  EXPECT_TRUE(has(server.commands(), "RCPT TO:<b@example.com>"));
  // The message arrives whole, its lone "." line dot-stuffed on the wire.
  EXPECT_EQ(server.data(),
            "From: alerts@example.com\r\nTo: a@example.com, b@example.com\r\nSubject: test\r\n\r\nhello\r\n..\r\nend\r\n");
}

TEST(SendSmtp, AuthenticatesWhenAsked) {
  SmtpStandIn server;
  auto t = target(server.port());
  t.username = "u";
  t.password = "p";
  const auto r = send_smtp(t, message, milliseconds{5000});
  server.join();
  EXPECT_EQ(r.status, DeliveryStatus::delivered) << r.detail;
  EXPECT_TRUE(has(server.commands(), "AUTH PLAIN AHUAcA=="));  // "\0u\0p"
}

TEST(SendSmtp, OneRefusedRecipientDoesNotStopTheOthers) {
  SmtpStandIn server(Replies{{"RCPT", "550 5.1.1 no such user"}});
  const auto r = send_smtp(target(server.port()), message, milliseconds{5000});
  server.join();
  // Every recipient refused: nothing can be delivered, and retrying will not change it.
  EXPECT_EQ(r.status, DeliveryStatus::failed) << r.detail;
  EXPECT_NE(r.detail.find("550 5.1.1 no such user"), std::string::npos) << r.detail;
}

TEST(SendSmtp, TemporaryRefusalIsRetried) {
  SmtpStandIn server(Replies{{"MAIL", "451 4.3.0 try again later"}});
  const auto r = send_smtp(target(server.port()), message, milliseconds{5000});
  server.join();
  EXPECT_EQ(r.status, DeliveryStatus::retry) << r.detail;
  EXPECT_NE(r.detail.find("451"), std::string::npos) << r.detail;
}

TEST(SendSmtp, RefusedLoginFailsWithoutShowingThePassword) {
  SmtpStandIn server(Replies{{"AUTH", "535 5.7.8 authentication failed"}});
  auto t = target(server.port());
  t.username = "u";
  t.password = "s3cret-pw";
  const auto r = send_smtp(t, message, milliseconds{5000});
  server.join();
  EXPECT_EQ(r.status, DeliveryStatus::failed) << r.detail;
  EXPECT_EQ(r.detail.find("s3cret-pw"), std::string::npos) << r.detail;
}

TEST(SendSmtp, NoServerIsRetried) {
  std::uint16_t port = 0;
  { SmtpStandIn closed; port = closed.port(); }  // bound, then closed: nothing listens there now
  const auto r = send_smtp(target(port), message, milliseconds{2000});
  EXPECT_EQ(r.status, DeliveryStatus::retry) << r.detail;
}

TEST(SendSmtp, SilentServerTimesOut) {
  SmtpStandIn server(Replies{}, false);
  const auto start = std::chrono::steady_clock::now();
  const auto r = send_smtp(target(server.port()), message, milliseconds{500});
  EXPECT_EQ(r.status, DeliveryStatus::retry) << r.detail;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds{5});
}

TEST(SendSmtp, StarttlsIsRequiredNeverSkipped) {
  SmtpStandIn server;  // offers no STARTTLS
  auto t = target(server.port());
  t.security = SmtpSecurity::starttls;
  const auto r = send_smtp(t, message, milliseconds{5000});
  server.join();
  EXPECT_EQ(r.status, DeliveryStatus::failed) << r.detail;
  EXPECT_FALSE(has(server.commands(), "MAIL FROM:<alerts@example.com>"));
}

}  // namespace
}  // namespace sentinel::notify
