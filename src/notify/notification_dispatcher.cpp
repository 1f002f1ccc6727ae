#include "notify/notification_dispatcher.hpp"

#include "core/claim_round.hpp"

// g++ 12 false positive on Asio's coroutine frames (see alerting/rule_evaluator.cpp).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include "core/blocking.hpp"
#include "http_client/http_client.hpp"
#include "notify/notification.hpp"
#include "notify/telegram_message.hpp"
#include "notify/telegram_request.hpp"
#include "notify/webhook_payload.hpp"
#include "notify/webhook_response.hpp"
#include "observability/metrics_registry.hpp"
#include "storage/alert_event_repository.hpp"

namespace sentinel::notify {

namespace asio = boost::asio;

namespace {

// How long a claimed row stays with this dispatcher: one request (bounded
// by request_timeout) and its bookkeeping. After a crash the row is
// delivered again once it ends, so it is kept short.
std::int64_t lease_seconds(const NotificationDispatcherOptions& o) { return o.request_timeout.count() + 5; }

std::optional<std::string> string_field(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

// The outbox payload (written by the engine) completes the event: the
// server's name and instance, the rule's description, and the value at
// the time of this notification (a repeat carries a newer one).
void apply_payload(const std::string& payload, Notification& n) {
  boost::system::error_code ec;
  auto v = boost::json::parse(payload, ec);
  if (ec || !v.is_object()) return;
  const auto& o = v.as_object();
  n.server_name = string_field(o, "server_name");
  n.instance = string_field(o, "instance");
  n.description = string_field(o, "description");
  if (auto it = o.find("value"); it != o.end() && it->value().is_number()) n.event.value = it->value().to_number<double>();
  // Alerts ended by a change rather than by data ("rule deleted", "rule
  // paused", "server deleted") say so.
  if (auto reason = string_field(o, "reason"))
    n.description = n.description ? *n.description + " (resolved: " + *reason + ")" : "Resolved: " + *reason;
}

}  // namespace

std::chrono::seconds backoff_after(std::int64_t attempts, const NotificationDispatcherOptions& options) {
  auto wait = std::max(options.first_backoff, std::chrono::seconds{1});
  for (std::int64_t i = 1; i < attempts && wait < options.max_backoff; ++i) wait *= 2;  // stops past the cap: no overflow
  return std::min(wait, options.max_backoff);
}

std::chrono::seconds retry_delay(const DeliveryResult& result, std::int64_t attempts,
                                 const NotificationDispatcherOptions& options) {
  if (result.retry_after) return std::clamp(*result.retry_after, std::chrono::seconds{1}, options.max_backoff);
  return backoff_after(attempts, options);
}

NotificationDispatcher::NotificationDispatcher(asio::any_io_executor executor, storage::OutboxRepository& outbox,
                       storage::AlertEventRepository& events, core::BlockingPool& blocking,
                       http_client::HttpClient& http, NotificationDispatcherOptions options,
                       observability::MetricsRegistry& metrics)
    : executor_(std::move(executor)),
      outbox_(outbox),
      events_(events),
      blocking_(blocking),
      http_(http),
      options_(std::move(options)),
      metrics_(metrics),
      state_(std::make_shared<State>(executor_)) {
  // Every channel's series exist from the start, at 0, so that a dashboard's
  // rate() reads 0 rather than "no data" before the first notification.
  for (const char* channel : {"telegram", "webhook"})
    for (const char* result : {"sent", "retried", "failed"})
      metrics_.counter("sentinel_notifications_total", "Notification delivery attempts by channel and result",
                       {{"channel", channel}, {"result", result}});
}

void NotificationDispatcher::start() { asio::co_spawn(state_->strand, loop(), asio::detached); }

void NotificationDispatcher::stop() {
  state_->stopped = true;
  asio::post(state_->strand, [state = state_] { state->timer.cancel(); });
}

void NotificationDispatcher::wake() {
  asio::post(state_->strand, [state = state_] { state->timer.cancel(); });
}

asio::awaitable<void> NotificationDispatcher::loop() {
  auto state = state_;
  core::ClaimOutage outage("notifications");
  while (!state->stopped) {
    const std::size_t running = state->in_flight;
    if (running < options_.max_in_flight) {
      const std::size_t room = options_.max_in_flight - running;
      auto claim = [this, room] { return outbox_.claim_due(options_.owner, lease_seconds(options_), room); };
      auto claimed = co_await core::claim_round(blocking_, std::move(claim), outage);
      auto due = claimed ? std::move(*claimed) : decltype(claimed)::value_type{};
      for (auto& item : due) {
        ++state->in_flight;
        auto job = [this, state, item = std::move(item)]() mutable -> asio::awaitable<void> {
          co_await deliver(std::move(item));
          asio::post(state->strand, [state] {
            --state->in_flight;
            state->timer.cancel();
          });
        };
        asio::co_spawn(executor_, std::move(job), asio::detached);
      }
    }
    if (state->stopped) break;
    state->timer.expires_after(outage.next_wait(std::chrono::duration_cast<std::chrono::milliseconds>(options_.poll)));
    co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> NotificationDispatcher::deliver(storage::OutboxItem item) {
  const auto channel = item.channel;
  auto& sent = metrics_.counter("sentinel_notifications_total", "Notification delivery attempts by channel and result",
                                {{"channel", channel}, {"result", "sent"}});
  auto& retried = metrics_.counter("sentinel_notifications_total",
                                   "Notification delivery attempts by channel and result",
                                   {{"channel", channel}, {"result", "retried"}});
  auto& failed = metrics_.counter("sentinel_notifications_total",
                                  "Notification delivery attempts by channel and result",
                                  {{"channel", channel}, {"result", "failed"}});
  try {
    const auto event_id = item.event_id;
    auto load = [this, event_id] { return events_.get(event_id); };
    auto event = co_await blocking_.run(std::move(load));
    DeliveryResult result;
    if (!event) {
      result = {DeliveryStatus::failed, "the alert event no longer exists", std::nullopt, std::nullopt};
    } else {
      Notification n;
      n.kind = parse_notification_kind(item.kind).value_or(NotificationKind::firing);
      n.event = std::move(*event);
      n.now = core::system_now();
      apply_payload(item.payload, n);
      result = co_await send(item, n);
    }

    const auto id = item.id;
    const auto attempts = item.attempts + 1;
    if (result.status == DeliveryStatus::delivered) {
      auto done = [this, id] { outbox_.mark_sent(id); };
      co_await blocking_.run(std::move(done));
      sent.inc();
    } else if (result.status == DeliveryStatus::failed || attempts >= options_.max_attempts) {
      std::string why = result.status == DeliveryStatus::failed
                            ? result.detail
                            : "gave up after " + std::to_string(attempts) + " attempts: " + result.detail;
      spdlog::warn("notification {} ({} via {}, event {}) failed: {}", id, item.kind, channel, item.event_id, why);
      auto done = [this, id, why] { outbox_.mark_failed(id, why); };
      co_await blocking_.run(std::move(done));
      failed.inc();
    } else {
      const auto wait = retry_delay(result, attempts, options_);
      spdlog::info("notification {} ({} via {}) will be retried in {}s: {}", id, item.kind, channel, wait.count(),
                   result.detail);
      // Stored times are whole seconds and now is rounded down: without the
      // extra second a retry_after of 2 s was retried 1.0-2.0 s later, which
      // Telegram answers with another 429.
      const auto next = core::system_now() + wait + std::chrono::seconds(1);
      auto later = [this, id, next, detail = result.detail] { outbox_.mark_retry(id, next, detail); };
      co_await blocking_.run(std::move(later));
      retried.inc();
    }
  } catch (const std::exception& e) {
    // The database went away mid-delivery: the lease runs out and the row
    // is delivered again (at least once, never lost).
    spdlog::warn("notification {}: outcome not recorded, it will be retried: {}", item.id, e.what());
  }
}

asio::awaitable<DeliveryResult> NotificationDispatcher::send(const storage::OutboxItem& item, const Notification& n) {
  if (item.channel == "telegram") co_return co_await send_telegram(n);
  if (item.channel == "webhook") co_return co_await send_webhook(n);
  co_return DeliveryResult{DeliveryStatus::failed, "unknown channel \"" + item.channel + "\"", std::nullopt,
                           std::nullopt};
}

asio::awaitable<DeliveryResult> NotificationDispatcher::send_telegram(const Notification& n) {
  if (!options_.telegram_bot_token || !options_.telegram_chat_id)
    co_return DeliveryResult{DeliveryStatus::failed,
                             "Telegram is not configured: set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID", std::nullopt,
                             std::nullopt};
  const std::string& token = *options_.telegram_bot_token;
  TelegramTarget target{*options_.telegram_chat_id, options_.telegram_message_thread_id,
                        options_.telegram_silent_resolved};
  http_client::Request req;
  req.method = "POST";
  req.url = telegram_send_message_url(options_.telegram_api_url, token);
  req.headers = {"Content-Type: application/json"};
  req.body = telegram_send_message_body(target, format_telegram_message(n), n.kind);
  req.timeout = options_.request_timeout;
  req.proxy = options_.https_proxy;
  req.no_proxy = options_.no_proxy;
  req.max_response_bytes = 1 << 20;
  auto out = co_await http_.send(std::move(req));
  if (!out) co_return telegram_network_failure(out.error().message, token);
  co_return classify_telegram_response(out->status, out->body);
}

asio::awaitable<DeliveryResult> NotificationDispatcher::send_webhook(const Notification& n) {
  if (!options_.webhook_url)
    co_return DeliveryResult{DeliveryStatus::failed, "the webhook channel is not configured: set WEBHOOK_URL",
                             std::nullopt, std::nullopt};
  http_client::Request req;
  req.method = "POST";
  req.url = *options_.webhook_url;
  req.headers = {"Content-Type: application/json", "User-Agent: sentinel"};
  req.body = webhook_body(n, WebhookOptions{});
  req.timeout = options_.request_timeout;
  req.proxy = options_.https_proxy;
  req.no_proxy = options_.no_proxy;
  req.max_response_bytes = 1 << 20;
  auto out = co_await http_.send(std::move(req));
  if (!out) co_return webhook_network_failure(out.error().message);
  const auto retry_after = out->header("retry-after");
  co_return classify_webhook_response(
      out->status, retry_after ? std::optional<std::string_view>(*retry_after) : std::nullopt, out->body);
}

}  // namespace sentinel::notify
