// send_to_channel end to end, with a scripted transport standing in for
// the targets (and the SMTP stand-in for email): what is sent, in which
// order, and what the answers come to.
#include <gtest/gtest.h>

// g++ 12 false positive on Asio's coroutine frames (see alerting/rule_evaluator.cpp).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <functional>
#include <mutex>
#include <vector>

#include "core/blocking.hpp"
#include "group_fixture.hpp"
#include "http_client/transport.hpp"
#include "notify/channel_sender.hpp"
#include "notify/event_text.hpp"
#include "smtp_stand_in.hpp"

namespace sentinel::notify {
namespace {

namespace asio = boost::asio;
using testing::sample_group;
using testing::settings;

// Answers each request with `answer(request)` and keeps every request.
class ScriptedTransport final : public http_client::Transport {
 public:
  using Script = std::function<http_client::Outcome(const http_client::Request&)>;
  explicit ScriptedTransport(Script script) : script_(std::move(script)) {}

  asio::awaitable<http_client::Outcome> send(http_client::Request request) override {
    http_client::Outcome out = script_(request);
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(std::move(request));
    }
    co_return out;
  }
  void shutdown() override {}

  std::vector<http_client::Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  Script script_;
  mutable std::mutex mutex_;
  std::vector<http_client::Request> requests_;
};

http_client::Outcome reply(long status, std::string body = "", std::optional<std::string> retry_after = {}) {
  http_client::Response r;
  r.status = status;
  r.body = std::move(body);
  if (retry_after) r.headers.emplace_back("retry-after", *retry_after);
  return r;
}

struct Harness {
  explicit Harness(ScriptedTransport::Script script) : http(std::move(script)) {}

  DeliveryResult send(std::string_view type, const boost::json::object& s, const AlertGroup& g) {
    ChannelSendContext ctx(http, blocking);
    ctx.request_timeout = std::chrono::seconds{3};
    ctx.https_proxy = "http://proxy.example:3128";
    ctx.clock = [] { return core::from_unix(1445412480); };
    auto fut = asio::co_spawn(io, send_to_channel(type, s, g, ctx), asio::use_future);
    io.run();
    io.restart();
    return fut.get();
  }

  asio::io_context io;
  core::BlockingPool blocking{1};
  ScriptedTransport http;
};

TEST(ChannelSender, KnowsItsTypes) {
  for (const char* t : {"telegram", "webhook", "slack", "discord", "pagerduty", "alertmanager", "ntfy", "email"})
    EXPECT_TRUE(is_channel_type(t)) << t;
  EXPECT_FALSE(is_channel_type("sms"));
}

TEST(ChannelSender, UnknownTypeAndBadSettingsFailWithoutSending) {
  Harness h([](const auto&) { return reply(200); });
  auto r = h.send("sms", {}, sample_group(1));
  EXPECT_EQ(r.status, DeliveryStatus::failed);
  EXPECT_EQ(r.detail, "unknown channel type \"sms\"");
  r = h.send("slack", settings(R"({"webhook_url": "not a url"})"), sample_group(1));
  EXPECT_EQ(r.status, DeliveryStatus::failed);
  EXPECT_EQ(r.detail, "slack channel: webhook_url must be an http:// or https:// URL");
  EXPECT_TRUE(h.http.requests().empty());
}

TEST(ChannelSender, OneRequestDeliveredWithTheContextsTimeoutAndProxy) {
  Harness h([](const auto&) { return reply(200, "ok"); });
  const auto r = h.send("slack", settings(R"({"webhook_url": "https://hooks.slack.com/services/T/B/x"})"),
                        sample_group(2));
  EXPECT_EQ(r.status, DeliveryStatus::delivered) << r.detail;
  const auto sent = h.http.requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].method, "POST");
  EXPECT_EQ(sent[0].url, "https://hooks.slack.com/services/T/B/x");
  EXPECT_EQ(sent[0].timeout, std::chrono::seconds{3});
  EXPECT_EQ(sent[0].proxy, "http://proxy.example:3128");
  EXPECT_EQ(boost::json::parse(sent[0].body).at("blocks").as_array().size(), 5u);
}

TEST(ChannelSender, PagerDutyStopsAtItsRateLimit) {
  int n = 0;
  Harness h([&n](const auto&) { return ++n == 2 ? reply(429, R"({"status":"throttled"})", "20") : reply(202); });
  const auto r = h.send("pagerduty", settings(R"({"routing_key": "R0UTING"})"), sample_group(3));
  EXPECT_EQ(r.status, DeliveryStatus::retry);
  EXPECT_EQ(r.retry_after, std::chrono::seconds{20});
  EXPECT_EQ(h.http.requests().size(), 2u);  // the third would meet the same limit
  EXPECT_NE(r.detail.find("(2 of 3 requests not delivered)"), std::string::npos) << r.detail;
  EXPECT_EQ(r.detail.find("R0UTING"), std::string::npos);
}

TEST(ChannelSender, AlertmanagerReplicasEachGetTheirsAndTheWorstCounts) {
  Harness h([](const http_client::Request& req) {
    if (req.url.starts_with("http://am2")) return reply(503);
    if (req.url.starts_with("http://am3")) return reply(400, R"("bad alert")");
    return reply(200);
  });
  const auto r = h.send("alertmanager", settings(R"({"urls": ["http://am1:9093", "http://am2:9093", "http://am3:9093"]})"),
                        sample_group(2));
  EXPECT_EQ(h.http.requests().size(), 3u);
  EXPECT_EQ(r.status, DeliveryStatus::failed);
  EXPECT_NE(r.detail.find("Alertmanager (am3:9093): HTTP 400: bad alert"), std::string::npos) << r.detail;
}

TEST(ChannelSender, NetworkFailureIsRetriedAndShowsNoSecret) {
  Harness h([](const http_client::Request& req) -> http_client::Outcome {
    return std::unexpected(http_client::Failure{http_client::FailureKind::connect, "Failed to connect to " + req.url});
  });
  const auto r = h.send("discord", settings(R"({"webhook_url": "https://discord.com/api/webhooks/1/T0KEN"})"),
                        sample_group(1));
  EXPECT_EQ(r.status, DeliveryStatus::retry);
  EXPECT_EQ(r.detail.find("T0KEN"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("Discord (discord.com)"), std::string::npos) << r.detail;
}

TEST(ChannelSender, WebhookBasicAuthGoesToTheTransport) {
  Harness h([](const auto&) { return reply(204); });
  const auto r = h.send("webhook", settings(R"({"url": "https://h.example.com/x", "username": "u", "password": "p"})"),
                        sample_group(1));
  EXPECT_EQ(r.status, DeliveryStatus::delivered);
  EXPECT_EQ(h.http.requests().at(0).username, "u");
  EXPECT_EQ(h.http.requests().at(0).password, "p");
}

TEST(ChannelSender, TelegramAnswersReadThroughItsEnvelope) {
  Harness h([](const auto&) { return reply(400, R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})"); });
  const auto r = h.send("telegram", settings(R"({"bot_token": "1:SECRET", "chat_id": 5})"), sample_group(1));
  EXPECT_EQ(r.status, DeliveryStatus::failed);
  EXPECT_EQ(r.detail, "Telegram: Bad Request: chat not found");
}

TEST(ChannelSender, EmailGoesThroughSmtpOnTheBlockingPool) {
  testing::SmtpStandIn server;
  Harness h([](const auto&) { return reply(500); });
  const auto s = settings(R"({"smtp_host": "127.0.0.1", "smtp_port": )" + std::to_string(server.port()) +
                          R"(, "security": "none", "from": "alerts@example.com", "to": ["ops@example.com"]})");
  const auto r = h.send("email", s, sample_group(2));
  server.join();
  EXPECT_EQ(r.status, DeliveryStatus::delivered) << r.detail;
  EXPECT_NE(server.data().find("Subject: [FIRING:2] High CPU\r\n"), std::string::npos);
  EXPECT_TRUE(h.http.requests().empty());
}

TEST(TestGroup, AClearlyLabelledTestAlert) {
  const auto g = test_group("ops chat", "https://sentinel.example.com", core::from_unix(1795472966));
  ASSERT_EQ(g.alerts.size(), 1u);
  EXPECT_EQ(g.kind, NotificationKind::firing);
  EXPECT_EQ(group_title(g), "[FIRING:1] Sentinel test notification");
  EXPECT_EQ(group_severity(g), "info");
  EXPECT_NE(g.alerts[0].event.message.find("Test notification for the channel \"ops chat\""), std::string::npos);
  EXPECT_EQ(group_link(g), "https://sentinel.example.com/events");
  // Every type can format it.
  for (const char* type : {"telegram", "webhook", "slack", "discord", "pagerduty", "alertmanager", "ntfy"}) {
    const auto plan = plan_channel(type, settings(R"({"bot_token": "1:A", "chat_id": 1, "url": "https://h.example.com/t",
        "webhook_url": "https://h.example.com/w", "routing_key": "R", "urls": ["http://am:9093"]})"), g);
    EXPECT_TRUE(plan) << type << ": " << plan.error();
  }
}

}  // namespace
}  // namespace sentinel::notify
