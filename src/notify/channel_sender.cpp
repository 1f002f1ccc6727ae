#include "notify/channel_sender.hpp"

// g++ 12 false positive on Asio's coroutine frames (see alerting/rule_evaluator.cpp).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <algorithm>
#include <array>
#include <vector>

#include "core/blocking.hpp"
#include "core/when_all.hpp"
#include "http_client/transport.hpp"
#include "notify/alertmanager_alerts.hpp"
#include "notify/discord_message.hpp"
#include "notify/http_answer.hpp"
#include "notify/ntfy_message.hpp"
#include "notify/pagerduty_event.hpp"
#include "notify/slack_message.hpp"
#include "notify/telegram_group.hpp"
#include "notify/webhook_channel.hpp"

namespace sentinel::notify {

namespace asio = boost::asio;

namespace {

using Formatter = std::expected<RequestPlan, std::string> (*)(const boost::json::object&, const AlertGroup&);

struct HttpType {
  std::string_view name;
  Formatter format;
};

constexpr std::array<HttpType, 7> http_types{{{"telegram", &telegram_requests},
                                              {"webhook", &webhook_requests},
                                              {"slack", &slack_requests},
                                              {"discord", &discord_requests},
                                              {"pagerduty", &pagerduty_requests},
                                              {"alertmanager", &alertmanager_requests},
                                              {"ntfy", &ntfy_requests}}};

int severity(DeliveryStatus s) {
  switch (s) {
    case DeliveryStatus::delivered: return 0;
    case DeliveryStatus::retry: return 1;
    case DeliveryStatus::failed: return 2;
  }
  return 2;
}

// The worst of several results; among retries, the longest requested wait.
DeliveryResult worst_of(const std::vector<DeliveryResult>& results, std::size_t planned) {
  DeliveryResult worst{DeliveryStatus::delivered, {}, {}, {}};
  std::size_t not_delivered = 0;
  std::optional<std::chrono::seconds> wait;
  for (const auto& r : results) {
    if (r.status != DeliveryStatus::delivered) ++not_delivered;
    if (r.retry_after) wait = std::max(wait.value_or(std::chrono::seconds{0}), *r.retry_after);
    if (severity(r.status) > severity(worst.status)) worst = r;
  }
  if (worst.status == DeliveryStatus::retry && wait) worst.retry_after = wait;
  if (planned > 1 && not_delivered > 0)
    worst.detail = bounded_detail(worst.detail + " (" + std::to_string(planned - results.size() + not_delivered) +
                                  " of " + std::to_string(planned) + " requests not delivered)");
  return worst;
}

asio::awaitable<DeliveryResult> send_one(const OutboundRequest& out, ChannelSendContext& ctx) {
  http_client::Request req;
  req.method = "POST";
  req.url = out.url;
  req.headers = out.headers;
  req.body = out.body;
  req.username = out.username;
  req.password = out.password;
  req.timeout = ctx.request_timeout;
  req.proxy = ctx.https_proxy;
  req.no_proxy = ctx.no_proxy;
  req.max_response_bytes = ctx.limits.max_response_bytes;
  auto sent = co_await ctx.http.send(std::move(req));
  if (!sent) co_return network_failure(out, sent.error().message);
  HttpAnswer answer{sent->status, sent->header("retry-after"), std::move(sent->body)};
  co_return classify_answer(out, answer, ctx.clock());
}

asio::awaitable<DeliveryResult> send_requests(const RequestPlan& plan, ChannelSendContext& ctx) {
  std::vector<DeliveryResult> results;
  if (plan.same_target) {
    for (const auto& out : plan.requests) {
      auto r = co_await send_one(out, ctx);
      const bool stop = r.status != DeliveryStatus::delivered;
      results.push_back(std::move(r));
      if (stop) break;
    }
  } else {
    std::vector<asio::awaitable<DeliveryResult>> all;
    all.reserve(plan.requests.size());
    for (const auto& out : plan.requests) all.push_back(send_one(out, ctx));
    results = co_await core::when_all(std::move(all));
  }
  co_return worst_of(results, plan.requests.size());
}

DeliveryResult failed(std::string detail) {
  return DeliveryResult{DeliveryStatus::failed, bounded_detail(detail), {}, {}};
}

}  // namespace

bool is_channel_type(std::string_view type) {
  if (type == "email") return true;
  return std::any_of(http_types.begin(), http_types.end(), [&](const HttpType& t) { return t.name == type; });
}

std::expected<ChannelPlan, std::string> plan_channel(std::string_view type, const boost::json::object& settings,
                                                     const AlertGroup& group) {
  const std::string prefix = std::string(type) + " channel: ";
  if (type == "email") {
    auto plan = email_plan(settings, group);
    if (!plan) return std::unexpected(prefix + plan.error());
    return ChannelPlan{std::move(*plan)};
  }
  for (const auto& t : http_types) {
    if (t.name != type) continue;
    auto plan = t.format(settings, group);
    if (!plan) return std::unexpected(prefix + plan.error());
    return ChannelPlan{std::move(*plan)};
  }
  return std::unexpected("unknown channel type \"" + std::string(type).substr(0, 40) + "\"");
}

asio::awaitable<DeliveryResult> send_to_channel(std::string_view type, const boost::json::object& settings,
                                                const AlertGroup& group, ChannelSendContext& ctx) {
  auto plan = plan_channel(type, settings, group);
  if (!plan) co_return failed(plan.error());
  if (auto* email = std::get_if<EmailPlan>(&*plan)) {
    auto job = [target = std::move(email->target), message = std::move(email->message),
                timeout = std::chrono::milliseconds(ctx.request_timeout)] {
      return send_smtp(target, message, timeout);
    };
    co_return co_await ctx.blocking.run(std::move(job));
  }
  co_return co_await send_requests(std::get<RequestPlan>(*plan), ctx);
}

AlertGroup test_group(std::string_view channel_name, std::optional<std::string> public_url, core::Timestamp now) {
  Notification n;
  n.kind = NotificationKind::firing;
  n.event.rule_name = "Sentinel test notification";
  n.event.severity = "info";
  n.event.value = 1;
  n.event.threshold = 0;
  n.event.comparison = ">";
  n.event.labels = {{"channel", std::string(channel_name)}, {"test", "true"}};
  n.event.message = "Test notification for the channel \"" + std::string(channel_name) +
                    "\": if you can read this, it works. No alert is firing.";
  n.event.started_at = now;
  n.server_name = "sentinel";
  n.description = "Sent from Sentinel's console to test this channel; nothing needs doing.";
  n.now = now;
  AlertGroup group;
  group.kind = NotificationKind::firing;
  group.alerts.push_back(std::move(n));
  group.public_url = std::move(public_url);
  group.now = now;
  return group;
}

}  // namespace sentinel::notify
