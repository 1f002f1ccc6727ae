#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "group_fixture.hpp"
#include "notify/discord_message.hpp"
#include "notify/text_limits.hpp"

namespace sentinel::notify {
namespace {

using testing::sample_group;
using testing::settings;

std::size_t embed_total(const boost::json::object& e) {
  return utf16_length(e.at("title").as_string()) + utf16_length(e.at("description").as_string()) +
         utf16_length(e.at("footer").at("text").as_string());
}

TEST(DiscordMessage, ContentEmbedAndNoMentions) {
  const auto m = discord_message(sample_group(2));
  EXPECT_EQ(m, boost::json::parse(R"({
    "content": "🔥 **[FIRING:2] High CPU**",
    "embeds": [{
      "title": "[FIRING:2] High CPU",
      "url": "https://sentinel.example.com/events?rule=7",
      "description": "**web-1 (10.0.0.1:9100)**: 95.33 > 90 since 2026-11-23T22:24:26Z {job=\"node\"}\n**web-2 (10.0.0.2:9100)**: 95.33 > 90 since 2026-11-23T22:24:26Z {job=\"node\"}",
      "color": 15158332,
      "footer": {"text": "2 alerts firing · critical"},
      "timestamp": "2026-11-23T22:29:26Z"}],
    "allowed_mentions": {"parse": []}})"))
      << boost::json::serialize(m);
}

TEST(DiscordMessage, ThreeHundredSeriesWithinEveryLimit) {
  auto g = sample_group(300);
  g.alerts[0].description = std::string(5000, 'd');
  const auto m = discord_message(g);
  EXPECT_LE(utf16_length(m.at("content").as_string()), discord_max_content);
  const auto& embeds = m.at("embeds").as_array();
  ASSERT_LE(embeds.size(), 10u);
  const auto& e = embeds[0].as_object();
  EXPECT_LE(utf16_length(e.at("title").as_string()), discord_max_title);
  EXPECT_LE(utf16_length(e.at("description").as_string()), discord_max_description);
  EXPECT_LE(embed_total(e), discord_max_embed_total);
  EXPECT_NE(std::string(e.at("description").as_string()).find(" more"), std::string::npos);
}

TEST(DiscordMessage, NobodyGetsPinged) {
  auto g = sample_group(1);
  g.alerts[0].event.rule_name = "@everyone look";
  g.alerts[0].server_name = "@here <@123> [x](https://evil)";
  const auto m = discord_message(g);
  EXPECT_EQ(m.at("allowed_mentions"), boost::json::parse(R"({"parse": []})"));
  const std::string body = boost::json::serialize(m);
  EXPECT_EQ(body.find("@everyone"), std::string::npos) << body;
  EXPECT_EQ(body.find("@here"), std::string::npos) << body;
  EXPECT_EQ(body.find("[x](https://evil)"), std::string::npos) << body;
  EXPECT_EQ(discord_escape("a*b_c`d|e~f\\g"), "a\\*b\\_c\\`d\\|e\\~f\\\\g");
}

TEST(DiscordMessage, ResolvedIsGreen) {
  EXPECT_EQ(discord_message(sample_group(1, NotificationKind::resolved)).at("embeds").at(0).at("color").as_int64(),
            0x2ECC71);
}

TEST(DiscordRequests, WebhookUrlIsTheSecret) {
  const auto plan = discord_requests(
      settings(R"({"webhook_url": "https://discord.com/api/webhooks/1/tok"})"), sample_group(1));
  ASSERT_TRUE(plan) << plan.error();
  EXPECT_NE(std::find(plan->requests[0].secrets.begin(), plan->requests[0].secrets.end(), "/api/webhooks/1/tok"),
            plan->requests[0].secrets.end());
  EXPECT_FALSE(discord_requests(settings(R"({"webhook_url": 3})"), sample_group(1)));
}

}  // namespace
}  // namespace sentinel::notify
