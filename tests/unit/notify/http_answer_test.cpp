#include <gtest/gtest.h>

#include "notify/http_answer.hpp"

namespace sentinel::notify {
namespace {

using std::chrono::seconds;

const core::Timestamp now = core::from_unix(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
const std::string slack_url = "https://hooks.slack.com/services/T000/B000/hookPathSecret7f3a";

OutboundRequest slack() {
  OutboundRequest r;
  r.target = "Slack";
  r.url = slack_url;
  r.secrets = url_secrets(slack_url);
  return r;
}

HttpAnswer answer(long status, std::string body, std::optional<std::string> retry_after = std::nullopt) {
  return HttpAnswer{status, std::move(retry_after), std::move(body)};
}

TEST(ClassifyAnswer, TwoHundredsAreDelivered) {
  EXPECT_EQ(classify_answer(slack(), answer(200, "ok"), now).status, DeliveryStatus::delivered);
  EXPECT_EQ(classify_answer(slack(), answer(202, ""), now).status, DeliveryStatus::delivered);
  EXPECT_EQ(classify_answer(slack(), answer(204, ""), now).detail, "");
}

TEST(ClassifyAnswer, RateLimitWaitsAsAsked) {
  const auto r = classify_answer(slack(), answer(429, "rate_limited", "30"), now);
  EXPECT_EQ(r.status, DeliveryStatus::retry);
  EXPECT_EQ(r.retry_after, seconds{30});
  EXPECT_EQ(r.detail, "Slack (hooks.slack.com): HTTP 429: rate_limited");
  EXPECT_EQ(classify_answer(slack(), answer(429, "", "Wed, 21 Oct 2015 07:29:00 GMT"), now).retry_after, seconds{60});
  EXPECT_EQ(classify_answer(slack(), answer(429, ""), now).retry_after, std::nullopt);  // the caller's backoff
}

TEST(ClassifyAnswer, DiscordRetryAfterInTheBody) {
  const auto r = classify_answer(
      slack(), answer(429, R"({"message": "You are being rate limited.", "retry_after": 1.234, "global": false})"),
      now);
  EXPECT_EQ(r.status, DeliveryStatus::retry);
  EXPECT_EQ(r.retry_after, seconds{2});
  EXPECT_NE(r.detail.find("You are being rate limited."), std::string::npos);
  // The header wins over the body.
  EXPECT_EQ(classify_answer(slack(), answer(429, R"({"retry_after": 100})", "5"), now).retry_after, seconds{5});
}

TEST(ClassifyAnswer, ServerErrorsAreRetried) {
  EXPECT_EQ(classify_answer(slack(), answer(500, "rollup_error"), now).status, DeliveryStatus::retry);
  const auto r = classify_answer(slack(), answer(503, "<html>\n<h1>down</h1></html>", "120"), now);
  EXPECT_EQ(r.status, DeliveryStatus::retry);
  EXPECT_EQ(r.retry_after, seconds{120});
  EXPECT_EQ(r.detail.find('\n'), std::string::npos);
  EXPECT_EQ(classify_answer(slack(), answer(408, ""), now).status, DeliveryStatus::retry);
}

TEST(ClassifyAnswer, ClientErrorsFailWithTheTargetsMessage) {
  auto r = classify_answer(slack(), answer(404, "no_service"), now);
  EXPECT_EQ(r.status, DeliveryStatus::failed);
  EXPECT_EQ(r.detail, "Slack (hooks.slack.com): HTTP 404: no_service");
  r = classify_answer(slack(), answer(400, R"({"status":"invalid event","message":"Event object is invalid",
                                              "errors":["'routing_key' is invalid"]})"),
                      now);
  EXPECT_EQ(r.detail, "Slack (hooks.slack.com): HTTP 400: Event object is invalid; 'routing_key' is invalid");
  r = classify_answer(slack(), answer(403, R"({"code":40301,"http":403,"error":"forbidden"})"), now);
  EXPECT_EQ(r.detail, "Slack (hooks.slack.com): HTTP 403: forbidden");
  r = classify_answer(slack(), answer(400, R"("maximum number of alerts exceeded")"), now);
  EXPECT_EQ(r.detail, "Slack (hooks.slack.com): HTTP 400: maximum number of alerts exceeded");
  EXPECT_EQ(classify_answer(slack(), answer(301, ""), now).status, DeliveryStatus::failed);
}

TEST(ClassifyAnswer, DetailIsBounded) {
  const auto r = classify_answer(slack(), answer(400, std::string(100000, 'x')), now);
  EXPECT_LE(r.detail.size(), 512u);
}

TEST(ClassifyAnswer, SecretsNeverInTheDetail) {
  // A receiver that echoes the request's URL and token.
  auto req = slack();
  req.secrets.push_back("tok-123");
  const auto r = classify_answer(
      req, answer(400, "bad request to " + slack_url + " path /services/T000/B000/hookPathSecret7f3a token tok-123"), now);
  EXPECT_EQ(r.detail.find("hookPathSecret7f3a"), std::string::npos) << r.detail;
  EXPECT_EQ(r.detail.find("tok-123"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("<redacted>"), std::string::npos) << r.detail;
  const auto n = network_failure(req, "Failed to connect to hooks.slack.com: " + slack_url);
  EXPECT_EQ(n.status, DeliveryStatus::retry);
  EXPECT_EQ(n.detail.find("hookPathSecret7f3a"), std::string::npos) << n.detail;
  EXPECT_EQ(n.detail.find("/services/"), std::string::npos) << n.detail;
}

TEST(ClassifyAnswer, TelegramEnvelope) {
  OutboundRequest req;
  req.target = "Telegram";
  req.url = "https://api.telegram.org/bot123:ABC/sendMessage";
  req.secrets = {"123:ABC"};
  req.answer = AnswerStyle::telegram;
  auto r = classify_answer(req, answer(200, R"({"ok":true,"result":{"message_id":5}})"), now);
  EXPECT_EQ(r.status, DeliveryStatus::delivered);
  EXPECT_EQ(r.message_id, 5);
  r = classify_answer(req, answer(429, R"({"ok":false,"error_code":429,"description":"Too Many Requests",
                                         "parameters":{"retry_after":14}})"),
                      now);
  EXPECT_EQ(r.retry_after, seconds{14});
  r = classify_answer(req, answer(401, R"({"ok":false,"error_code":401,"description":"Unauthorized 123:ABC"})"), now);
  EXPECT_EQ(r.status, DeliveryStatus::failed);
  EXPECT_EQ(r.detail.find("123:ABC"), std::string::npos) << r.detail;
}

TEST(HttpAnswer, SentinelsOwnWordsKeepTheirLettersWhateverTheSecret) {
  OutboundRequest req = json_request("webhook", "http://127.0.0.1:1/hook", "{}");
  req.secrets = {"b", "e", "4"};
  const auto r = classify_answer(req, answer(401, "bad request"), now);
  EXPECT_EQ(r.detail.rfind("webhook (127.0.0.1:1): HTTP 401: ", 0), 0u) << r.detail;
  EXPECT_EQ(r.detail.find("bad request"), std::string::npos) << "the target's words are still redacted: " << r.detail;
}

TEST(UrlSecrets, TheUrlItsPathAndItsCredentials) {
  EXPECT_EQ(url_secrets("https://u:p@example.com/hook?k=1"),
            (std::vector<std::string>{"https://u:p@example.com/hook?k=1", "/hook?k=1", "/hook", "k=1", "u:p"}));
  // A target may echo the path alone, or one query value.
  EXPECT_EQ(url_secrets("https://example.com/h/s3cr3t?thread_id=42&token=t0ken123#x"),
            (std::vector<std::string>{"https://example.com/h/s3cr3t?thread_id=42&token=t0ken123#x",
                                      "/h/s3cr3t?thread_id=42&token=t0ken123", "/h/s3cr3t",
                                      "thread_id=42&token=t0ken123", "t0ken123"}));
  EXPECT_EQ(url_secrets("https://example.com/"), (std::vector<std::string>{"https://example.com/"}));
  EXPECT_EQ(url_host("https://u:p@example.com:8443/hook"), "example.com:8443");
  EXPECT_TRUE(is_http_url("http://localhost:9093"));
  EXPECT_FALSE(is_http_url("ftp://example.com"));
  EXPECT_FALSE(is_http_url("https://"));
  EXPECT_FALSE(is_http_url("https://exa mple.com"));
}

}  // namespace
}  // namespace sentinel::notify
