#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "notify/telegram_request.hpp"

namespace sentinel::notify {
namespace {

using std::chrono::seconds;

boost::json::object body_of(const TelegramTarget& t, NotificationKind kind, std::string_view text = "<b>hi</b>") {
  return boost::json::parse(telegram_send_message_body(t, text, kind)).as_object();
}

TEST(TelegramSendMessageUrl, TokenInThePath) {
  EXPECT_EQ(telegram_send_message_url("https://api.telegram.org", "123:ABC"),
            "https://api.telegram.org/bot123:ABC/sendMessage");
  EXPECT_EQ(telegram_send_message_url("http://127.0.0.1:8081/", "t"), "http://127.0.0.1:8081/bott/sendMessage");
}

TEST(TelegramSendMessageBody, Fields) {
  const auto body = body_of({"-1001234567890", std::nullopt, false}, NotificationKind::firing);
  EXPECT_EQ(body.at("chat_id").as_int64(), -1001234567890);
  EXPECT_EQ(body.at("text").as_string(), "<b>hi</b>");
  EXPECT_EQ(body.at("parse_mode").as_string(), "HTML");
  EXPECT_EQ(body.at("disable_web_page_preview").as_bool(), true);
  EXPECT_FALSE(body.contains("message_thread_id"));
  EXPECT_FALSE(body.contains("disable_notification"));
}

TEST(TelegramSendMessageBody, ChannelUsernameStaysAString) {
  EXPECT_EQ(body_of({"@sentinel_alerts", std::nullopt, false}, NotificationKind::firing).at("chat_id").as_string(),
            "@sentinel_alerts");
  EXPECT_EQ(body_of({"12ab", std::nullopt, false}, NotificationKind::firing).at("chat_id").as_string(), "12ab");
}

TEST(TelegramSendMessageBody, ThreadId) {
  EXPECT_EQ(body_of({"1", 42, false}, NotificationKind::firing).at("message_thread_id").as_int64(), 42);
}

TEST(TelegramSendMessageBody, SilentOnlyForResolvedWhenConfigured) {
  EXPECT_EQ(body_of({"1", std::nullopt, true}, NotificationKind::resolved).at("disable_notification").as_bool(), true);
  EXPECT_FALSE(body_of({"1", std::nullopt, true}, NotificationKind::firing).contains("disable_notification"));
  EXPECT_FALSE(body_of({"1", std::nullopt, true}, NotificationKind::repeat).contains("disable_notification"));
  EXPECT_FALSE(body_of({"1", std::nullopt, false}, NotificationKind::resolved).contains("disable_notification"));
}

TEST(TelegramSendMessageBody, TextIsJsonEscaped) {
  const std::string text = "a \"quoted\" \\ line\nПривет 🔥";
  EXPECT_EQ(body_of({"1", std::nullopt, false}, NotificationKind::firing, text).at("text").as_string(), text);
}

TEST(ClassifyTelegramResponse, Delivered) {
  const auto r = classify_telegram_response(
      200, R"({"ok":true,"result":{"message_id":4711,"chat":{"id":-100},"date":1,"text":"hi"}})");
  EXPECT_EQ(r.status, DeliveryStatus::delivered);
  EXPECT_EQ(r.message_id, 4711);
  EXPECT_TRUE(r.detail.empty());
}

TEST(ClassifyTelegramResponse, TooManyRequestsWaitsRetryAfter) {
  const auto r = classify_telegram_response(
      429, R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 17","parameters":{"retry_after":17}})");
  EXPECT_EQ(r.status, DeliveryStatus::retry);
  EXPECT_EQ(r.retry_after, seconds{17});
  EXPECT_EQ(r.detail, "Telegram: Too Many Requests: retry after 17");
}

TEST(ClassifyTelegramResponse, TooManyRequestsWithoutParameters) {
  const auto r = classify_telegram_response(429, "");
  EXPECT_EQ(r.status, DeliveryStatus::retry);
  EXPECT_FALSE(r.retry_after.has_value());
  EXPECT_EQ(r.detail, "Telegram: HTTP 429");
  EXPECT_EQ(classify_telegram_response(429, R"({"ok":false,"parameters":{"retry_after":0}})").retry_after, seconds{1});
}

TEST(ClassifyTelegramResponse, ClientErrorsArePermanent) {
  const auto bad_chat =
      classify_telegram_response(400, R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})");
  EXPECT_EQ(bad_chat.status, DeliveryStatus::failed);
  EXPECT_EQ(bad_chat.detail, "Telegram: Bad Request: chat not found");
  const auto token = classify_telegram_response(401, R"({"ok":false,"error_code":401,"description":"Unauthorized"})");
  EXPECT_EQ(token.status, DeliveryStatus::failed);
  EXPECT_EQ(token.detail, "Telegram: Unauthorized");
  EXPECT_EQ(classify_telegram_response(403, R"({"ok":false,"error_code":403,"description":"Forbidden: bot was kicked"})")
                .status,
            DeliveryStatus::failed);
  EXPECT_EQ(classify_telegram_response(404, "<html>nope</html>").detail, "Telegram: HTTP 404");
}

TEST(ClassifyTelegramResponse, MigratedGroupNamesTheNewChat) {
  const auto r = classify_telegram_response(
      400,
      R"({"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234}})");
  EXPECT_EQ(r.status, DeliveryStatus::failed);
  EXPECT_NE(r.detail.find("-1001234"), std::string::npos) << r.detail;
}

TEST(ClassifyTelegramResponse, ServerErrorsAreRetried) {
  EXPECT_EQ(classify_telegram_response(500, "").status, DeliveryStatus::retry);
  EXPECT_EQ(classify_telegram_response(502, "<html>Bad Gateway</html>").status, DeliveryStatus::retry);
  const auto r = classify_telegram_response(503, R"({"ok":false,"error_code":503,"description":"Service Unavailable"})");
  EXPECT_EQ(r.status, DeliveryStatus::retry);
  EXPECT_EQ(r.detail, "Telegram: Service Unavailable");
}

TEST(ClassifyTelegramResponse, OkStatusWithoutOkBodyIsRetried) {
  EXPECT_EQ(classify_telegram_response(200, "<html>captive portal</html>").status, DeliveryStatus::retry);
  EXPECT_EQ(classify_telegram_response(200, R"({"ok":"yes"})").status, DeliveryStatus::retry);
  EXPECT_EQ(classify_telegram_response(200, "[1,2]").status, DeliveryStatus::retry);
}

TEST(ClassifyTelegramResponse, OkFalseWithA200UsesItsErrorCode) {
  EXPECT_EQ(
      classify_telegram_response(200, R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})").status,
      DeliveryStatus::failed);
}

TEST(ClassifyTelegramResponse, DetailIsBounded) {
  const std::string description(5000, 'x');
  const auto r = classify_telegram_response(400, R"({"ok":false,"description":")" + description + "\"}");
  EXPECT_EQ(r.status, DeliveryStatus::failed);
  EXPECT_LE(r.detail.size(), 512u);
  EXPECT_TRUE(r.detail.ends_with("x\xE2\x80\xA6"));
}

TEST(BoundedDetail, ValidUtf8AndCutOnACharacter) {
  EXPECT_EQ(bounded_detail("bad \xFF byte"), "bad \xEF\xBF\xBD byte");
  std::string cyrillic;
  for (int i = 0; i < 400; ++i) cyrillic += "\xD0\xAF";  // Я, 2 bytes
  const std::string out = bounded_detail(cyrillic);
  EXPECT_EQ(out.size(), 508u + 3u);  // 254 whole letters, then "…"
  EXPECT_TRUE(out.ends_with("\xD0\xAF\xE2\x80\xA6"));
}

TEST(ClassifyTelegramResponse, HostileBodiesNeverThrow) {
  for (const char* body : {"", "{", "null", "{\"ok\":true,\"result\":5}", "{\"parameters\":[]}",
                           "{\"ok\":false,\"parameters\":{\"retry_after\":\"soon\"}}",
                           "{\"ok\":false,\"parameters\":{\"retry_after\":1e300}}"}) {
    EXPECT_NO_THROW(classify_telegram_response(429, body)) << body;
    EXPECT_NO_THROW(classify_telegram_response(200, body)) << body;
  }
}

TEST(RedactToken, EveryForm) {
  const std::string token = "123456:AAH-x_y";
  EXPECT_EQ(redact_token("GET /bot123456:AAH-x_y/sendMessage and again 123456:AAH-x_y", token),
            "GET /bot<redacted>/sendMessage and again <redacted>");
  EXPECT_EQ(redact_token("url /bot123456%3AAAH-x_y/x", token), "url /bot<redacted>/x");
  EXPECT_EQ(redact_token("url /bot123456%3aAAH-x_y/x", token), "url /bot<redacted>/x");
  EXPECT_EQ(redact_token("nothing here", token), "nothing here");
  EXPECT_EQ(redact_token("keep", ""), "keep");
}

}  // namespace
}  // namespace sentinel::notify
