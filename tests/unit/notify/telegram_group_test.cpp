#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "group_fixture.hpp"
#include "notify/telegram_group.hpp"
#include "notify/telegram_message.hpp"

namespace sentinel::notify {
namespace {

using testing::sample_group;
using testing::settings;

TEST(TelegramGroup, ListsEverySeries) {
  EXPECT_EQ(format_telegram_group(sample_group(2)),
            "🔥 <b>FIRING</b> · <b>High CPU</b> · 2 alerts\n"
            "Severity: critical\n"
            "• <b>web-1 (10.0.0.1:9100)</b>: 95.33 &gt; 90 since 2026-11-23T22:24:26Z <code>{job=&quot;node&quot;}</code>\n"
            "• <b>web-2 (10.0.0.2:9100)</b>: 95.33 &gt; 90 since 2026-11-23T22:24:26Z <code>{job=&quot;node&quot;}</code>\n"
            "<a href=\"https://sentinel.example.com/events?rule=7\">Open in Sentinel</a>");
}

TEST(TelegramGroup, OneAlertReadsAsTheSingleMessagePlusItsLink) {
  const auto g = sample_group(1, NotificationKind::firing);
  EXPECT_EQ(format_telegram_group(g), format_telegram_message(g.alerts[0]) +
                                          "\n<a href=\"https://sentinel.example.com/events/101\">Open in Sentinel</a>");
  EXPECT_EQ(format_telegram_group(sample_group(1, NotificationKind::firing, std::nullopt)),
            format_telegram_message(g.alerts[0]));
}

TEST(TelegramGroup, ThreeHundredSeriesStayWithin4096AndSayHowManyMore) {
  const auto g = sample_group(300);
  const std::string text = format_telegram_group(g);
  EXPECT_LE(telegram_text_length(text), telegram_max_text_length);
  const auto more = text.find("\xE2\x80\xA6 and ");
  ASSERT_NE(more, std::string::npos);
  const std::size_t shown = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) - 3;  // head 2, more, link
  EXPECT_NE(text.find("and " + std::to_string(300 - shown) + " more\n<a href="), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("Open in Sentinel</a>"));
}

TEST(TelegramGroup, UserValuesAreEscaped) {
  auto g = sample_group(2);
  g.alerts[0].event.rule_name = "<script>&";
  g.alerts[1].server_name = "<b>evil</b>";
  const std::string text = format_telegram_group(g);
  EXPECT_EQ(text.find("<script>"), std::string::npos);
  EXPECT_NE(text.find("&lt;script&gt;&amp;"), std::string::npos);
  EXPECT_NE(text.find("&lt;b&gt;evil&lt;/b&gt;"), std::string::npos);
}

// A rule's summary template is rendered from label values a target controls:
// whatever it renders to is text, never markup.
TEST(TelegramGroup, ARenderedSummaryIsEscapedAndNoConditionShowsJustTheValue) {
  auto g = sample_group(2);
  g.alerts[0].summary = "<b>disk</b> & \"/\" <a href=\"x\">full</a>";
  g.alerts[1].event.comparison.reset();
  g.alerts[1].event.threshold.reset();
  const std::string text = format_telegram_group(g);
  EXPECT_NE(text.find("&lt;b&gt;disk&lt;/b&gt; &amp; &quot;/&quot; &lt;a href=&quot;x&quot;&gt;full&lt;/a&gt; since"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("</b>: 95.33 since"), std::string::npos) << text;
}

TEST(TelegramRequests, SendMessageWithTheChannelsSettings) {
  const auto plan = telegram_requests(
      settings(R"({"bot_token": "123:ABC", "chat_id": -100200, "message_thread_id": 5,
                   "api_url": "http://127.0.0.1:8081/"})"),
      sample_group(2));
  ASSERT_TRUE(plan) << plan.error();
  ASSERT_EQ(plan->requests.size(), 1u);
  const auto& r = plan->requests[0];
  EXPECT_EQ(r.url, "http://127.0.0.1:8081/bot123:ABC/sendMessage");
  EXPECT_EQ(r.answer, AnswerStyle::telegram);
  EXPECT_EQ(r.secrets, std::vector<std::string>{"123:ABC"});
  const auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.at("chat_id").as_int64(), -100200);
  EXPECT_EQ(body.at("message_thread_id").as_int64(), 5);
  EXPECT_EQ(body.at("parse_mode").as_string(), "HTML");
  EXPECT_TRUE(body.at("text").as_string().starts_with("🔥 <b>FIRING</b>"));
}

TEST(TelegramRequests, DefaultApiAndChatByName) {
  const auto plan = telegram_requests(settings(R"({"bot_token": "1:A", "chat_id": "@ops"})"), sample_group(1));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->requests[0].url, "https://api.telegram.org/bot1:A/sendMessage");
  EXPECT_EQ(boost::json::parse(plan->requests[0].body).at("chat_id").as_string(), "@ops");
}

TEST(TelegramRequests, BadSettingsSayWhich) {
  EXPECT_EQ(telegram_requests(settings(R"({"chat_id": "1"})"), sample_group(1)).error(), "bot_token is required");
  EXPECT_EQ(telegram_requests(settings(R"({"bot_token": "1:A"})"), sample_group(1)).error(), "chat_id is required");
  EXPECT_EQ(telegram_requests(settings(R"({"bot_token": "1:A\r\nX: y", "chat_id": 1})"), sample_group(1)).error(),
            "bot_token must not contain blanks or control characters");
  EXPECT_EQ(
      telegram_requests(settings(R"({"bot_token": "1:A", "chat_id": 1, "api_url": "file:///etc"})"), sample_group(1))
          .error(),
      "api_url must be an http:// or https:// URL");
  EXPECT_EQ(telegram_requests(settings(R"({"bot_token": "1:A", "chat_id": 1, "message_thread_id": "x"})"),
                              sample_group(1))
                .error(),
            "message_thread_id must be an integer");
}

}  // namespace
}  // namespace sentinel::notify
