#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "group_fixture.hpp"
#include "notify/slack_message.hpp"
#include "notify/text_limits.hpp"

namespace sentinel::notify {
namespace {

using testing::sample_group;
using testing::settings;

TEST(SlackMessage, BlockKitShape) {
  const auto m = slack_message(sample_group(2));
  EXPECT_EQ(m, boost::json::parse(R"({
    "text": "🔥 [FIRING:2] High CPU",
    "blocks": [
      {"type": "header", "text": {"type": "plain_text", "text": "🔥 [FIRING:2] High CPU"}},
      {"type": "section", "text": {"type": "mrkdwn", "text": "*2 alerts firing · critical*"}},
      {"type": "section", "text": {"type": "mrkdwn",
        "text": "*web-1 (10.0.0.1:9100)*\n95.33 &gt; 90 since 2026-11-23T22:24:26Z `{job=\"node\"}`"}},
      {"type": "section", "text": {"type": "mrkdwn",
        "text": "*web-2 (10.0.0.2:9100)*\n95.33 &gt; 90 since 2026-11-23T22:24:26Z `{job=\"node\"}`"}},
      {"type": "context", "elements": [{"type": "mrkdwn",
        "text": "<https://sentinel.example.com/events?rule=7|Open in Sentinel>"}]}
    ]})"))
      << boost::json::serialize(m);
}

TEST(SlackMessage, ThreeHundredSeriesWithinFiftyBlocks) {
  const auto m = slack_message(sample_group(300));
  const auto& blocks = m.at("blocks").as_array();
  EXPECT_EQ(blocks.size(), slack_max_blocks);
  // header + summary + 46 series + "… and 254 more" + link
  EXPECT_EQ(blocks[blocks.size() - 2].at("elements").as_array()[0].at("text").as_string(),
            "\xE2\x80\xA6 and 254 more");
  for (const auto& b : blocks) {
    if (b.at("type") == "section") {
      EXPECT_LE(utf16_length(b.at("text").at("text").as_string()), slack_max_section_text);
    }
  }
}

TEST(SlackMessage, LongTextsAreCutToSlacksLimits) {
  auto g = sample_group(1, NotificationKind::firing, std::nullopt);
  g.alerts[0].event.rule_name = std::string(500, 'r');
  g.alerts[0].description = std::string(10000, 'd');
  const auto m = slack_message(g);
  const auto& blocks = m.at("blocks").as_array();
  EXPECT_LE(utf16_length(blocks[0].at("text").at("text").as_string()), slack_max_header_text);
  EXPECT_LE(utf16_length(blocks[1].at("text").at("text").as_string()), slack_max_section_text);
}

TEST(SlackMessage, ControlCharactersEscaped) {
  auto g = sample_group(1);
  g.alerts[0].server_name = "<!channel> & <https://evil|click>";
  const std::string body = boost::json::serialize(slack_message(g));
  EXPECT_EQ(body.find("<!channel>"), std::string::npos);
  EXPECT_EQ(body.find("<https://evil"), std::string::npos);
  EXPECT_NE(body.find("&lt;!channel&gt; &amp; &lt;https://evil|click&gt;"), std::string::npos) << body;
  EXPECT_EQ(slack_escape("a&b<c>d"), "a&amp;b&lt;c&gt;d");
}

TEST(SlackRequests, WebhookUrlIsTheSecret) {
  const auto plan = slack_requests(
      settings(R"({"webhook_url": "https://hooks.slack.com/services/T0/B0/abc"})"), sample_group(1));
  ASSERT_TRUE(plan) << plan.error();
  const auto& r = plan->requests.at(0);
  EXPECT_EQ(r.url, "https://hooks.slack.com/services/T0/B0/abc");
  EXPECT_NE(std::find(r.secrets.begin(), r.secrets.end(), "/services/T0/B0/abc"), r.secrets.end());
  EXPECT_EQ(slack_requests(settings("{}"), sample_group(1)).error(), "webhook_url is required");
}

}  // namespace
}  // namespace sentinel::notify
