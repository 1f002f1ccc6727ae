#include <gtest/gtest.h>

#include <string>

#include "notify/telegram_message.hpp"

namespace sentinel::notify {
namespace {

const std::string ellipsis = "\xE2\x80\xA6";

Notification sample(NotificationKind kind = NotificationKind::firing) {
  Notification n;
  n.kind = kind;
  n.event.id = 11;
  n.event.rule_id = 7;
  n.event.server_id = 1;
  n.event.rule_name = "High CPU";
  n.event.severity = "critical";
  n.event.value = 95.33333;
  n.event.threshold = 90;
  n.event.comparison = ">";
  n.event.labels = {{"instance", "10.0.0.5:9100"}, {"job", "node"}};
  n.event.started_at = core::from_unix(1795472666);  // 2026-11-23T22:24:26Z
  n.server_name = "web-1";
  n.instance = "10.0.0.5:9100";
  return n;
}

TEST(TelegramMessage, Firing) {
  EXPECT_EQ(format_telegram_message(sample()),
            "🔥 <b>FIRING</b> · <b>High CPU</b>\n"
            "Server: <b>web-1</b> (<code>10.0.0.5:9100</code>)\n"
            "Value: <b>95.33</b> · threshold &gt; 90\n"
            "Severity: critical\n"
            "Started: 2026-11-23T22:24:26Z\n"
            "Labels: <code>{job=&quot;node&quot;}</code>");
}

TEST(TelegramMessage, RepeatSaysForHowLong) {
  auto n = sample(NotificationKind::repeat);
  n.now = n.event.started_at + std::chrono::seconds{2 * 3600 + 5 * 60 + 9};
  const std::string text = format_telegram_message(n);
  EXPECT_TRUE(text.starts_with("🔁 <b>STILL FIRING</b> · <b>High CPU</b>\n")) << text;
  EXPECT_NE(text.find("\nFiring for: 2h 5m\n"), std::string::npos) << text;
}

TEST(TelegramMessage, RepeatWithoutNowLeavesTheDurationOut) {
  EXPECT_EQ(format_telegram_message(sample(NotificationKind::repeat)).find("Firing for"), std::string::npos);
}

TEST(TelegramMessage, ResolvedSaysWhenAndAfterHowLong) {
  auto n = sample(NotificationKind::resolved);
  n.event.status = "resolved";
  n.event.value = 71.5;
  n.event.resolved_at = n.event.started_at + std::chrono::seconds{3900};
  n.description = "front web server";
  EXPECT_EQ(format_telegram_message(n),
            "✅ <b>RESOLVED</b> · <b>High CPU</b>\n"
            "Server: <b>web-1</b> (<code>10.0.0.5:9100</code>)\n"
            "Value: <b>71.5</b> · threshold &gt; 90\n"
            "Severity: critical\n"
            "Started: 2026-11-23T22:24:26Z\n"
            "Resolved: 2026-11-23T23:29:26Z (after 1h 5m)\n"
            "Labels: <code>{job=&quot;node&quot;}</code>\n"
            "<i>front web server</i>");
}

TEST(TelegramMessage, EveryUserValueIsEscaped) {
  auto n = sample();
  n.event.rule_name = "<script>alert(1)</script> & co";
  n.event.message = "disk \"/\" <full>";
  n.event.severity = "<b>";
  n.event.comparison = "<=";
  n.event.labels = {{"path", "a<b>&\"c\""}, {"instance", "evil\"<i>:9100"}};
  n.server_name = "web</b><a href=\"x\">";
  n.instance = "evil\"<i>:9100";
  n.description = "</i>escaped & <u>safe</u>";
  const std::string text = format_telegram_message(n);
  EXPECT_EQ(text.find("<script>"), std::string::npos);
  EXPECT_NE(text.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"), std::string::npos) << text;
  EXPECT_NE(text.find("disk &quot;/&quot; &lt;full&gt;"), std::string::npos) << text;
  EXPECT_NE(text.find("Server: <b>web&lt;/b&gt;&lt;a href=&quot;x&quot;&gt;</b> (<code>evil&quot;&lt;i&gt;:9100</code>)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("threshold &lt;= 90"), std::string::npos) << text;
  EXPECT_NE(text.find("Severity: &lt;b&gt;"), std::string::npos) << text;
  EXPECT_NE(text.find("{path=&quot;a&lt;b&gt;&amp;\\&quot;c\\&quot;&quot;}"), std::string::npos) << text;
  EXPECT_NE(text.find("<i>&lt;/i&gt;escaped &amp; &lt;u&gt;safe&lt;/u&gt;</i>"), std::string::npos) << text;
  // The only tags are the formatter's own.
  for (const char* tag : {"<a", "<u>", "<script"}) EXPECT_EQ(text.find(tag), std::string::npos) << tag;
}

TEST(TelegramMessage, MessageLineWhenTheEventHasOne) {
  auto n = sample();
  n.event.message = "CPU at 95%";
  EXPECT_NE(format_telegram_message(n).find("</b>\nCPU at 95%\nServer:"), std::string::npos);
}

TEST(TelegramMessage, UnregisteredInstanceComesFromTheLabel) {
  auto n = sample();
  n.server_name.reset();
  n.instance.reset();
  n.event.server_id.reset();
  n.event.labels = {{"instance", "10.9.9.9:9100"}, {"mountpoint", "/"}};
  const std::string text = format_telegram_message(n);
  EXPECT_NE(text.find("\nInstance: <code>10.9.9.9:9100</code>\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Labels: <code>{mountpoint=&quot;/&quot;}</code>"), std::string::npos) << text;
}

TEST(TelegramMessage, ServerKnownOnlyById) {
  auto n = sample();
  n.server_name.reset();
  n.instance.reset();
  n.event.labels.clear();
  const std::string text = format_telegram_message(n);
  EXPECT_NE(text.find("\nServer: #1\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("Labels"), std::string::npos) << text;
}

TEST(TelegramMessage, NoDataAndMetricName) {
  auto n = sample();
  n.event.value.reset();
  n.event.labels = {{"__name__", "node_load1"}, {"instance", "10.0.0.5:9100"}};
  const std::string text = format_telegram_message(n);
  EXPECT_NE(text.find("Value: <b>no data</b> · threshold &gt; 90"), std::string::npos) << text;
  EXPECT_EQ(text.find("node_load1"), std::string::npos) << text;
  EXPECT_EQ(text.find("Labels"), std::string::npos) << text;
}

TEST(TelegramMessage, ValueCloseToTheThresholdKeepsItsDigits) {
  auto n = sample();
  n.event.value = 90.0004;
  EXPECT_NE(format_telegram_message(n).find("Value: <b>90.0004</b>"), std::string::npos);
}

TEST(TelegramMessage, HugeDescriptionIsCutToTheLimitAndStaysWellFormed) {
  auto n = sample();
  std::string desc;
  for (int i = 0; i < 2000; ++i) desc += "Ошибка & 🔥 ";  // lots of entities, Cyrillic and emoji
  n.description = desc;
  const std::string text = format_telegram_message(n);
  EXPECT_LE(telegram_text_length(text), telegram_max_text_length);
  EXPECT_GE(telegram_text_length(text), telegram_max_text_length - 1);
  EXPECT_TRUE(text.ends_with(ellipsis + "</i>")) << text.substr(text.size() - 40);
  EXPECT_LE(text.size(), telegram_max_html_bytes);
}

TEST(TelegramMessage, SmallerLimit) {
  const std::string text = format_telegram_message(sample(), 20);
  EXPECT_LE(telegram_text_length(text), 20u);
  EXPECT_EQ(text, "🔥 <b>FIRING</b> · <b>High CP" + ellipsis + "</b>");
}

TEST(NotificationKind, RoundTrips) {
  for (auto k : {NotificationKind::firing, NotificationKind::repeat, NotificationKind::resolved})
    EXPECT_EQ(parse_notification_kind(to_string(k)), k);
  EXPECT_FALSE(parse_notification_kind("FIRING").has_value());
}

}  // namespace
}  // namespace sentinel::notify
