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
#include "domain/channel.hpp"
#include "notify/alert_group.hpp"
#include "notify/notification.hpp"
#include "observability/metrics_registry.hpp"
#include "storage/channel_repository.hpp"
#include "storage/notification_routes.hpp"

namespace sentinel::notify {

namespace asio = boost::asio;

namespace {

constexpr const char* metric_name = "sentinel_notifications_total";
constexpr const char* metric_help = "Notification messages sent (one per group of alerts) by channel type and result";

// How long a claimed group stays with this dispatcher: one request (bounded
// by request_timeout; an SMTP session too) and its bookkeeping. After a crash
// the group is delivered again once it ends (a single-process install drops
// its own leases at start), so it is kept short. PagerDuty alone sends one
// request per alert, one after the other: a large group may outlive its
// lease and be sent again by another worker, which PagerDuty folds into the
// open alerts (same dedup_key).
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
  n.summary = string_field(o, "summary");
  n.description = string_field(o, "description");
  for (const auto& [key, into] : {std::pair{"annotations", &n.annotations}, std::pair{"labels", &n.rule_labels}})
    if (auto it = o.find(key); it != o.end() && it->value().is_object())
      for (const auto& [k, x] : it->value().as_object())
        if (x.is_string()) into->emplace(std::string(k), std::string(x.as_string()));
  if (auto it = o.find("value"); it != o.end() && it->value().is_number()) n.event.value = it->value().to_number<double>();
  // Alerts ended by a change rather than by data ("rule deleted", "rule
  // paused", "server deleted") say so.
  if (auto reason = string_field(o, "reason"))
    n.description = n.description ? *n.description + " (resolved: " + *reason + ")" : "Resolved: " + *reason;
}

// An Alertmanager re-send says the alerts still fire.
NotificationKind kind_of(const std::string& outbox_kind) {
  if (outbox_kind == "resend") return NotificationKind::firing;
  return parse_notification_kind(outbox_kind).value_or(NotificationKind::firing);
}

AlertGroup build_group(const storage::OutboxGroup& rows, const NotificationDispatcherOptions& options) {
  AlertGroup group;
  group.kind = kind_of(rows.kind);
  group.public_url = options.public_url;
  group.now = core::system_now();
  group.alerts.reserve(rows.items.size());
  for (const auto& item : rows.items) {
    if (!item.event) continue;  // deleted meanwhile: nothing left to say about it
    Notification n;
    n.kind = group.kind;
    n.event = *item.event;
    n.now = group.now;
    apply_payload(item.payload, n);
    group.alerts.push_back(std::move(n));
  }
  return group;
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

std::vector<storage::OutboxGroup> message_slices(storage::OutboxGroup group, const std::string& type) {
  std::vector<storage::OutboxGroup> out;
  if (type != "pagerduty" || group.items.size() <= pagerduty_slice) {
    out.push_back(std::move(group));
    return out;
  }
  for (std::size_t at = 0; at < group.items.size(); at += pagerduty_slice) {
    storage::OutboxGroup slice{group.rule_id, group.channel, group.kind, {}};
    const auto end = std::min(group.items.size(), at + pagerduty_slice);
    slice.items.assign(std::make_move_iterator(group.items.begin() + static_cast<std::ptrdiff_t>(at)),
                       std::make_move_iterator(group.items.begin() + static_cast<std::ptrdiff_t>(end)));
    out.push_back(std::move(slice));
  }
  return out;
}

std::expected<ResolvedTarget, std::string> environment_target(const std::string& key,
                                                              const NotificationDispatcherOptions& o) {
  if (key == "telegram") {
    if (!o.telegram_bot_token || !o.telegram_chat_id)
      return std::unexpected("Telegram is not configured: set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID");
    boost::json::object s{{"bot_token", *o.telegram_bot_token},
                          {"chat_id", *o.telegram_chat_id},
                          {"api_url", o.telegram_api_url},
                          {"silent_resolved", o.telegram_silent_resolved}};
    if (o.telegram_message_thread_id) s["message_thread_id"] = *o.telegram_message_thread_id;
    return ResolvedTarget{"telegram", std::move(s)};
  }
  if (key == "webhook") {
    if (!o.webhook_url) return std::unexpected("the webhook channel is not configured: set WEBHOOK_URL");
    return ResolvedTarget{"webhook", boost::json::object{{"url", *o.webhook_url}}};
  }
  return std::unexpected("unknown channel \"" + key + "\"");
}

NotificationDispatcher::NotificationDispatcher(asio::any_io_executor executor, storage::OutboxRepository& outbox,
                                               storage::ChannelRepository& channels, core::BlockingPool& blocking,
                                               http_client::Transport& http, NotificationDispatcherOptions options,
                                               observability::MetricsRegistry& metrics)
    : executor_(std::move(executor)),
      outbox_(outbox),
      channels_(channels),
      blocking_(blocking),
      options_(std::move(options)),
      send_context_(http, blocking),
      metrics_(metrics),
      state_(std::make_shared<State>(executor_)) {
  send_context_.request_timeout = options_.request_timeout;
  send_context_.https_proxy = options_.https_proxy;
  send_context_.no_proxy = options_.no_proxy;
  // Every type's series exist from the start, at 0, so that a dashboard's
  // rate() reads 0 rather than "no data" before the first notification.
  for (const auto type : domain::channel_types())
    for (const char* result : {"sent", "retried", "failed"})
      metrics_.counter(metric_name, metric_help, {{"channel", std::string(type)}, {"result", result}});
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
      auto claim = [this, room] { return outbox_.claim_due_groups(options_.owner, lease_seconds(options_), room); };
      auto claimed = co_await core::claim_round(blocking_, std::move(claim), outage);
      auto due = claimed ? std::move(*claimed) : decltype(claimed)::value_type{};
      for (auto& group : due) {
        ++state->in_flight;
        auto job = [this, state, group = std::move(group)]() mutable -> asio::awaitable<void> {
          co_await deliver(std::move(group));
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

asio::awaitable<std::expected<ResolvedTarget, std::string>> NotificationDispatcher::resolve(const std::string& key) {
  const auto channel_id = storage::channel_id_of(key);
  if (!channel_id) co_return environment_target(key, options_);
  const auto id = *channel_id;
  auto load = [this, id] { return channels_.resolve(id); };
  auto channel = co_await blocking_.run(std::move(load));
  if (!channel) {
    if (channel.error().kind == core::ErrorKind::not_found)
      co_return std::unexpected("channel " + std::to_string(id) + " was deleted");
    co_return std::unexpected(channel.error().detail);
  }
  co_return ResolvedTarget{std::move(channel->type), std::move(channel->settings)};
}

asio::awaitable<void> NotificationDispatcher::deliver(storage::OutboxGroup whole) {
  const auto rule_id = whole.rule_id;
  const auto key = whole.channel;
  try {
    const auto target = co_await resolve(key);
    if (!target) {
      const std::string type = storage::channel_id_of(key) ? "unknown" : key;
      const DeliveryResult failed{DeliveryStatus::failed, target.error(), std::nullopt, std::nullopt};
      co_await record(whole, type, failed, true);
      co_return;
    }
    auto slices = message_slices(std::move(whole), target->type);
    std::optional<DeliveryResult> stopped;  // a slice not delivered: the rest wait as it does
    for (const auto& group : slices) {
      if (stopped) {
        co_await record(group, target->type, *stopped, false);
        continue;
      }
      DeliveryResult result;
      const AlertGroup alerts = build_group(group, options_);
      if (alerts.alerts.empty())
        result = {DeliveryStatus::failed, "the alert events no longer exist", std::nullopt, std::nullopt};
      else
        result = co_await send_to_channel(target->type, target->settings, alerts, send_context_);
      co_await record(group, target->type, result, true);
      if (result.status != DeliveryStatus::delivered) stopped = result;
    }
  } catch (const std::exception& e) {
    // The database went away mid-delivery: the lease runs out and the
    // group is delivered again (at least once, never lost).
    spdlog::warn("notifications to {} (rule {}): outcome not recorded, they will be retried: {}", key,
                 rule_id.value_or(0), e.what());
  }
}

asio::awaitable<void> NotificationDispatcher::record(const storage::OutboxGroup& group, const std::string& type,
                                                     const DeliveryResult& result, bool sent) {
  observability::Counter unsent;  // a slice that waited for the one before it: not a message
  auto counter = [&](const char* outcome) -> observability::Counter& {
    return sent ? metrics_.counter(metric_name, metric_help, {{"channel", type}, {"result", outcome}}) : unsent;
  };
  const auto attempts = group.max_attempts() + 1;
  const auto count = group.items.size();
  // Alertmanager keeps an alert only until its endsAt: while it fires it is
  // sent again, delivered or not (a retry keeps the row instead).
  const auto resend = type == "alertmanager" ? std::optional(core::system_now() + options_.alertmanager_resend)
                                             : std::nullopt;
  if (result.status == DeliveryStatus::delivered) {
    auto done = [this, &group, resend] { outbox_.mark_sent(group, resend); };
    co_await blocking_.run(std::move(done));
    counter("sent").inc();
  } else if (result.status == DeliveryStatus::failed || attempts >= options_.max_attempts) {
    std::string why = result.status == DeliveryStatus::failed
                          ? result.detail
                          : "gave up after " + std::to_string(attempts) + " attempts: " + result.detail;
    spdlog::warn("notification of {} alert(s) ({} via {}, rule {}) failed: {}", count, group.kind, group.channel,
                 group.rule_id.value_or(0), why);
    auto done = [this, &group, why, resend] { outbox_.mark_failed(group, why, resend); };
    co_await blocking_.run(std::move(done));
    counter("failed").inc();
  } else {
    const auto wait = retry_delay(result, attempts, options_);
    spdlog::info("notification of {} alert(s) ({} via {}) will be retried in {}s: {}", count, group.kind,
                 group.channel, wait.count(), result.detail);
    // Stored times are whole seconds and now is rounded down: without the
    // extra second a retry_after of 2 s was retried 1.0-2.0 s later, which
    // Telegram answers with another 429.
    const auto next = core::system_now() + wait + std::chrono::seconds(1);
    auto later = [this, &group, next, detail = result.detail] { outbox_.mark_retry(group, next, detail); };
    co_await blocking_.run(std::move(later));
    counter("retried").inc();
  }
}

}  // namespace sentinel::notify
