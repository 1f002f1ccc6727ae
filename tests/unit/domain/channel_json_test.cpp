// Notification channels (product.md §9): every type's settings, the 422s
// that name settings.<key>, the write-only secrets, and PATCH merging.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>

#include "domain/channel.hpp"
#include "domain_test_support.hpp"

namespace sentinel::domain {
namespace {

using test::body;
using test::errors_of;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A valid body of each type, every secret value containing "SECRET" so a
// test can look for leaks with one search.
const char* const valid_bodies[] = {
    R"({"name": "tg", "type": "telegram", "settings": {"bot_token": "123:SECRET-tg", "chat_id": "-1001",
        "message_thread_id": 7, "api_url": "http://127.0.0.1:8081"}})",
    R"({"name": "wh", "type": "webhook", "settings": {"url": "https://hooks.example.com/SECRET-path",
        "bearer_token": "SECRET-bearer"}})",
    R"({"name": "wh-basic", "type": "webhook", "settings": {"url": "https://hooks.example.com/SECRET-x",
        "username": "alice", "password": "SECRET-pw"}})",
    R"({"name": "sl", "type": "slack", "settings": {"webhook_url": "https://hooks.slack.com/services/SECRET"}})",
    R"({"name": "dc", "type": "discord", "settings": {"webhook_url": "https://discord.com/api/webhooks/SECRET"}})",
    R"({"name": "em", "type": "email", "settings": {"smtp_host": "smtp.example.com", "smtp_port": 587,
        "security": "starttls", "username": "ops", "password": "SECRET-smtp", "from": "sentinel@example.com",
        "to": ["ops@example.com", "oncall@example.com"]}})",
    R"({"name": "pd", "type": "pagerduty", "settings": {"routing_key": "SECRET-routing"}})",
    R"({"name": "am", "type": "alertmanager", "settings": {"urls": ["http://am-1:9093", "http://am-2:9093"]}})",
    R"({"name": "nt", "type": "ntfy", "settings": {"url": "https://ntfy.sh/sentinel-alerts", "token": "SECRET-ntfy"}})",
};

TEST(Channels, EveryTypeHasAValidExampleAndNoSecretIsShown) {
  for (const char* text : valid_bodies) {
    auto c = parse_channel_create(body(text));
    ASSERT_TRUE(c) << text << "\n" << testing::PrintToString(errors_of(c));
    EXPECT_EQ(boost::json::serialize(c->settings.shown).find("SECRET"), std::string::npos) << text;
    EXPECT_EQ(c->settings.secrets.empty(), c->type == "alertmanager") << text;  // the only type without secrets
    for (const auto& [key, value] : c->settings.secrets) EXPECT_EQ(c->settings.shown.at(key), "***") << key;

    Channel channel;
    channel.type = c->type;
    channel.settings = c->settings.shown;
    EXPECT_EQ(boost::json::serialize(to_json(channel)).find("SECRET"), std::string::npos);
    // The dispatcher's view has every value back under its own name.
    const auto resolved = resolve_channel(channel, c->settings.secrets);
    const auto sent_body = body(text);
    const auto& sent = sent_body.as_object().at("settings").as_object();
    for (const auto& [key, value] : sent) {
      if (key == "chat_id") continue;  // kept as a string
      ASSERT_TRUE(resolved.settings.contains(key)) << text << " " << key;
      EXPECT_EQ(resolved.settings.at(key), value) << text << " " << key;
    }
  }
}

TEST(Channels, AllTypesAreListed) {
  const auto types = channel_types();
  EXPECT_EQ(std::vector<std::string_view>(types.begin(), types.end()),
            (std::vector<std::string_view>{"telegram", "webhook", "slack", "discord", "email", "pagerduty",
                                           "alertmanager", "ntfy"}));
  EXPECT_TRUE(is_secret_setting("telegram", "bot_token"));
  EXPECT_TRUE(is_secret_setting("webhook", "url"));
  EXPECT_TRUE(is_secret_setting("pagerduty", "routing_key"));
  EXPECT_FALSE(is_secret_setting("ntfy", "url"));
  EXPECT_FALSE(is_secret_setting("telegram", "chat_id"));
  EXPECT_FALSE(is_secret_setting("nope", "url"));
}

TEST(Channels, DefaultsAndOptionalFields) {
  auto c = parse_channel_create(body(valid_bodies[6]));
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->send_resolved);
  EXPECT_THAT(c->default_for_severities, IsEmpty());
  c = parse_channel_create(body(R"({"name": "x", "type": "pagerduty", "settings": {"routing_key": "k"},
      "send_resolved": false, "default_for_severities": ["critical", "info", "critical"]})"));
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->send_resolved);
  EXPECT_THAT(c->default_for_severities, ElementsAre("info", "critical"));  // a set, in severity order
}

TEST(Channels, ChatIdMayBeANumber) {
  auto c = parse_channel_create(
      body(R"({"name": "x", "type": "telegram", "settings": {"bot_token": "t", "chat_id": -1001234567890}})"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->settings.shown.at("chat_id"), "-1001234567890");
}

TEST(Channels, MissingAndUnknownSettingsAreNamed) {
  EXPECT_THAT(errors_of(parse_channel_create(body(R"({"name": "x", "type": "webhook", "settings": {}})"))),
              ElementsAre("body.settings.url|missing|Field required"));
  EXPECT_THAT(errors_of(parse_channel_create(
                  body(R"({"name": "x", "type": "slack", "settings": {"webhook_url": "https://h/x", "channel": "#a"}})"))),
              ElementsAre("body.settings.channel|extra_forbidden|Extra inputs are not permitted"));
  EXPECT_THAT(errors_of(parse_channel_create(body(R"({"name": "x", "type": "email", "settings": {}})"))),
              ElementsAre("body.settings.smtp_host|missing|Field required", "body.settings.smtp_port|missing|Field required",
                          "body.settings.security|missing|Field required", "body.settings.from|missing|Field required",
                          "body.settings.to|missing|Field required"));
  EXPECT_THAT(errors_of(parse_channel_create(body(R"({"name": "x", "type": "webhook"})"))),
              ElementsAre("body.settings|missing|Field required"));
  EXPECT_THAT(errors_of(parse_channel_create(body(R"({"name": "x", "type": "webhook", "settings": []})"))),
              ElementsAre("body.settings|dict_type|Input should be a valid dictionary"));
}

TEST(Channels, UnknownTypeAndTopLevelErrors) {
  auto errors = errors_of(parse_channel_create(
      body(R"({"name": "", "type": "sms", "settings": {}, "colour": "red", "default_for_severities": ["page"]})")));
  EXPECT_THAT(errors, Contains("body.name|string_too_short|String should have at least 1 character"));
  EXPECT_THAT(errors, Contains(HasSubstr("body.type|literal_error|Input should be 'telegram'")));
  EXPECT_THAT(errors, Contains("body.default_for_severities.0|literal_error|Input should be 'info', 'warning' or "
                               "'critical'"));
  EXPECT_THAT(errors, Contains("body.colour|extra_forbidden|Extra inputs are not permitted"));
}

TEST(Channels, UrlsMustBeHttpWithAHost) {
  for (const char* url : {"ftp://h/x", "hooks.example.com/x", "http://", "https:///path", "javascript:alert(1)",
                          "http://h/\nInjected: 1", "", "mailto:a@b.c"}) {
    boost::json::object b{{"name", "x"}, {"type", "slack"}, {"settings", {{"webhook_url", url}}}};
    auto errors = errors_of(parse_channel_create(b));
    ASSERT_EQ(errors.size(), 1u) << url;
    EXPECT_THAT(errors[0], HasSubstr("body.settings.webhook_url|")) << url;
  }
  // A shown URL carries no credentials: viewers read it.
  EXPECT_THAT(errors_of(parse_channel_create(
                  body(R"({"name": "x", "type": "ntfy", "settings": {"url": "https://u:pw@ntfy.sh/topic"}})"))),
              ElementsAre(HasSubstr("body.settings.url|value_error|Value error, must be an http")));
  EXPECT_THAT(errors_of(parse_channel_create(body(R"({"name": "x", "type": "ntfy", "settings": {"url": "https://ntfy.sh/"}})"))),
              ElementsAre(HasSubstr("body.settings.url|value_error|")));
  EXPECT_THAT(errors_of(parse_channel_create(
                  body(R"({"name": "x", "type": "alertmanager", "settings": {"urls": ["http://am:9093", "am:9093"]}})"))),
              ElementsAre(HasSubstr("body.settings.urls.1|value_error|")));
  // Secret URLs may hold credentials: nobody sees them.
  EXPECT_TRUE(parse_channel_create(
      body(R"({"name": "x", "type": "webhook", "settings": {"url": "https://u:pw@hooks.example.com/x"}})")));
}

TEST(Channels, EmailsAndListsAreChecked) {
  auto email = [](const std::string& settings) {
    return parse_channel_create(body(R"({"name": "x", "type": "email", "settings": )" + settings + "}"));
  };
  const std::string base = R"("smtp_host": "smtp.example.com", "smtp_port": 25, "security": "none")";
  EXPECT_TRUE(email("{" + base + R"(, "from": "a@example.com", "to": ["b@example.com"]})"));
  EXPECT_THAT(errors_of(email("{" + base + R"(, "from": "nobody", "to": []})")),
              ElementsAre("body.settings.from|value_error|value is not a valid email address",
                          "body.settings.to|too_short|List should have at least 1 item after validation, not 0"));
  EXPECT_THAT(errors_of(email("{" + base + R"(, "from": "a@example.com", "to": ["b@example.com", "not an email"]})")),
              ElementsAre("body.settings.to.1|value_error|value is not a valid email address"));
  std::string many = "[";
  for (int i = 0; i < 101; ++i) many += std::string(i ? "," : "") + "\"u" + std::to_string(i) + "@example.com\"";
  many += "]";
  EXPECT_THAT(errors_of(email("{" + base + R"(, "from": "a@example.com", "to": )" + many + "}")),
              ElementsAre(HasSubstr("body.settings.to|too_long|List should have at most 100 items")));
  EXPECT_THAT(errors_of(email(R"({"smtp_host": "smtp.example.com", "smtp_port": 70000, "security": "ssl",
                                  "from": "a@example.com", "to": ["b@example.com"]})")),
              ElementsAre(HasSubstr("body.settings.smtp_port|less_than_equal|"),
                          HasSubstr("body.settings.security|literal_error|")));
  EXPECT_THAT(errors_of(email("{" + base + R"(, "password": "pw", "from": "a@example.com", "to": ["b@example.com"]})")),
              ElementsAre("body.settings.username|value_error|Value error, username is required with password"));
}

TEST(Channels, WebhookAuthIsBearerOrBasicNotBoth) {
  EXPECT_THAT(errors_of(parse_channel_create(body(R"({"name": "x", "type": "webhook", "settings":
      {"url": "https://h/x", "bearer_token": "t", "username": "u", "password": "p"}})"))),
              ElementsAre(HasSubstr("body.settings.bearer_token|value_error|")));
  EXPECT_THAT(errors_of(parse_channel_create(
                  body(R"({"name": "x", "type": "webhook", "settings": {"url": "https://h/x", "username": "u"}})"))),
              ElementsAre("body.settings.password|value_error|Value error, password is required with username"));
}

TEST(Channels, SecretsRejectControlCharactersAndThePlaceholder) {
  EXPECT_THAT(errors_of(parse_channel_create(
                  body(R"({"name": "x", "type": "pagerduty", "settings": {"routing_key": "a\r\nX-Evil: 1"}})"))),
              ElementsAre(HasSubstr("body.settings.routing_key|value_error|")));
  EXPECT_THAT(errors_of(parse_channel_create(
                  body(R"({"name": "x", "type": "pagerduty", "settings": {"routing_key": "***"}})"))),
              ElementsAre(HasSubstr("body.settings.routing_key|value_error|Value error, \"***\" stands for")));
}

// The stored telegram channel of the PATCH tests, and its secrets.
struct Stored {
  Channel channel;
  boost::json::object secrets;
};

Stored stored_telegram() {
  auto c = parse_channel_create(body(valid_bodies[0]));
  Stored s;
  s.channel.id = 1;
  s.channel.name = c->name;
  s.channel.type = c->type;
  s.channel.settings = c->settings.shown;
  s.secrets = c->settings.secrets;
  return s;
}

ChannelPatch patch_of(std::string_view text) { return parse_channel_patch(body(text)).value(); }

TEST(ChannelPatch, OmittedOrPlaceholderSecretsAreKept) {
  const auto s = stored_telegram();
  for (const char* text : {R"({"settings": {"chat_id": "42"}})", R"({"settings": {"chat_id": "42", "bot_token": "***"}})"}) {
    auto u = apply_channel_patch(s.channel, s.secrets, patch_of(text));
    ASSERT_TRUE(u) << text;
    EXPECT_EQ(u->channel.settings.at("chat_id"), "42");
    EXPECT_EQ(u->channel.settings.at("bot_token"), "***");
    EXPECT_EQ(u->secrets.at("bot_token"), "123:SECRET-tg");
    EXPECT_THAT(u->changed_secrets, IsEmpty());
    EXPECT_EQ(u->channel.settings.at("api_url"), "http://127.0.0.1:8081") << "keys not sent are kept";
  }
}

TEST(ChannelPatch, ANewSecretOrNullChangesIt) {
  const auto s = stored_telegram();
  auto u = apply_channel_patch(s.channel, s.secrets, patch_of(R"({"settings": {"bot_token": "999:NEW"}})"));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->secrets.at("bot_token"), "999:NEW");
  EXPECT_THAT(u->changed_secrets, ElementsAre("bot_token"));
  // null removes an optional setting; removing a required one is a 422.
  u = apply_channel_patch(s.channel, s.secrets, patch_of(R"({"settings": {"api_url": null}})"));
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->channel.settings.contains("api_url"));
  EXPECT_THAT(errors_of(apply_channel_patch(s.channel, s.secrets, patch_of(R"({"settings": {"bot_token": null}})"))),
              ElementsAre("body.settings.bot_token|missing|Field required"));
  EXPECT_THAT(errors_of(apply_channel_patch(s.channel, s.secrets, patch_of(R"({"settings": {"token": "x"}})"))),
              ElementsAre("body.settings.token|extra_forbidden|Extra inputs are not permitted"));
}

TEST(ChannelPatch, ANewTypeNeedsItsWholeSettings) {
  const auto s = stored_telegram();
  EXPECT_THAT(errors_of(apply_channel_patch(s.channel, s.secrets, patch_of(R"({"type": "slack"})"))),
              ElementsAre(HasSubstr("body.settings|missing|")));
  EXPECT_THAT(errors_of(apply_channel_patch(s.channel, s.secrets,
                                            patch_of(R"({"type": "pagerduty", "settings": {"routing_key": "***"}})"))),
              ElementsAre(HasSubstr("body.settings.routing_key|value_error|")));
  EXPECT_THAT(errors_of(apply_channel_patch(s.channel, s.secrets,
                                            patch_of(R"({"type": "pagerduty", "settings": {"chat_id": "1"}})"))),
              ElementsAre("body.settings.routing_key|missing|Field required",
                          "body.settings.chat_id|extra_forbidden|Extra inputs are not permitted"));
  auto u = apply_channel_patch(s.channel, s.secrets, patch_of(R"({"type": "pagerduty", "settings": {"routing_key": "rk"}})"));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->channel.type, "pagerduty");
  EXPECT_EQ(boost::json::serialize(u->secrets), R"({"routing_key":"rk"})");
  EXPECT_THAT(u->changed_secrets, ElementsAre("bot_token", "routing_key"));
}

TEST(ChannelPatch, UnreadableSecretsAreAConflictOnlyWhenKept) {
  const auto s = stored_telegram();
  auto kept = apply_channel_patch(s.channel, std::nullopt, patch_of(R"({"name": "renamed"})"));
  ASSERT_FALSE(kept);
  EXPECT_EQ(kept.error().kind, core::ErrorKind::conflict);
  EXPECT_THAT(kept.error().detail, HasSubstr("sentinel channels rekey"));
  auto replaced = apply_channel_patch(s.channel, std::nullopt, patch_of(R"({"settings": {"bot_token": "new"}})"));
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->secrets.at("bot_token"), "new");
}

TEST(ChannelPatch, PlainFieldsAndReadOnlyOnes) {
  const auto s = stored_telegram();
  auto u = apply_channel_patch(s.channel, s.secrets,
                               patch_of(R"({"name": "n2", "send_resolved": false, "default_for_severities": ["warning"],
                                            "id": 99, "created_at": "x"})"));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->channel.name, "n2");
  EXPECT_FALSE(u->channel.send_resolved);
  EXPECT_THAT(u->channel.default_for_severities, ElementsAre("warning"));
  EXPECT_EQ(u->channel.id, 1);
  EXPECT_THAT(errors_of(parse_channel_patch(body(R"({"settings": "x", "type": "sms"})"))),
              ElementsAre(HasSubstr("body.type|literal_error|"), "body.settings|dict_type|Input should be a valid dictionary"));
}

TEST(Channels, ToJsonMasksSecretsEvenIfAChannelHeldOne) {
  Channel c;
  c.type = "pagerduty";
  c.settings = {{"routing_key", "leaked"}, {"api_url", "https://events.pagerduty.com"}};
  const auto text = boost::json::serialize(to_json(c));
  EXPECT_EQ(text.find("leaked"), std::string::npos) << text;
  EXPECT_NE(text.find("https://events.pagerduty.com"), std::string::npos);
  EXPECT_EQ(test::keys_of(to_json(c)),
            (std::set<std::string>{"id", "name", "type", "settings", "send_resolved", "default_for_severities",
                                   "created_at", "updated_at"}));
}

}  // namespace
}  // namespace sentinel::domain
