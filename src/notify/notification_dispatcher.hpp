#pragma once
// Delivers the notification outbox a group at a time: claims the due rows
// of one rule for one target (leased, so a crash means redelivery, never
// loss), resolves the target (an environment channel from its settings, or
// a stored channel with its secrets opened now), formats the group as one
// message for the target's type (send_to_channel) and records the outcome
// on every row. Transient failures (network, timeout, 5xx, 429) are retried
// with exponential backoff or after the wait the target asks for (capped);
// permanent ones (4xx, a channel not configured or deleted) and rows out of
// attempts are marked failed, and so are their events.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "notify/channel_sender.hpp"
#include "notify/delivery_result.hpp"
#include "storage/outbox_repository.hpp"

namespace sentinel::core {
class BlockingPool;
}
namespace sentinel::http_client {
class Transport;
}
namespace sentinel::storage {
class ChannelRepository;
}
namespace sentinel::observability {
class MetricsRegistry;
}

namespace sentinel::notify {

struct NotificationDispatcherOptions {
  std::string owner;  // this process's name in outbox leases
  // Telegram: off until both are set.
  std::optional<std::string> telegram_bot_token;
  std::optional<std::string> telegram_chat_id;
  std::string telegram_api_url = "https://api.telegram.org";
  std::optional<std::int64_t> telegram_message_thread_id;
  bool telegram_silent_resolved = false;
  std::optional<std::string> webhook_url;
  std::optional<std::string> public_url;   // PUBLIC_URL: messages link back to the console
  std::optional<std::string> https_proxy;  // for every HTTP target
  std::optional<std::string> no_proxy;
  std::chrono::seconds request_timeout{10};
  std::int64_t max_attempts = 8;  // then the rows (and their events) are "failed"
  std::chrono::seconds first_backoff{5};
  std::chrono::seconds max_backoff{3600};  // NOTIFY_MAX_BACKOFF_SEC: caps the backoff and a target's Retry-After
  // Alertmanager forgets an alert not sent again before its endsAt (4 min):
  // firing alerts are re-sent this often, as Prometheus does.
  std::chrono::seconds alertmanager_resend{60};
  std::size_t max_in_flight = 8;  // groups being sent at once
  std::chrono::milliseconds poll{500};  // how often to look for due rows when not woken
};

// The wait before attempt `attempts + 1` (attempts already made ≥ 1):
// first_backoff doubled per attempt, capped at max_backoff.
std::chrono::seconds backoff_after(std::int64_t attempts, const NotificationDispatcherOptions& options);

// The wait before retrying after `result`: the target's retry_after when it
// gave one, else backoff_after(attempts); never more than max_backoff.
std::chrono::seconds retry_delay(const DeliveryResult& result, std::int64_t attempts,
                                 const NotificationDispatcherOptions& options);

// PagerDuty takes one event per request and at most 120 events a minute per
// routing key: a larger group goes in slices of this many, each recorded on
// its own, so that a 429 halfway costs a retry of what is left, not of the
// whole group (which would hit the same limit at the same place every time).
inline constexpr std::size_t pagerduty_slice = 100;

// The messages `group` goes out as on a channel of `type`: itself, or
// PagerDuty's slices (by row order).
std::vector<storage::OutboxGroup> message_slices(storage::OutboxGroup group, const std::string& type);

// A target ready to send to: its type and every setting in clear.
struct ResolvedTarget {
  std::string type;
  boost::json::object settings;
};

// The environment's channel for outbox key "telegram" or "webhook", from
// `options`; fails saying which variables to set when it is not configured.
std::expected<ResolvedTarget, std::string> environment_target(const std::string& key,
                                                              const NotificationDispatcherOptions& options);

class NotificationDispatcher {
 public:
  NotificationDispatcher(boost::asio::any_io_executor executor, storage::OutboxRepository& outbox,
                         storage::ChannelRepository& channels, core::BlockingPool& blocking,
                         http_client::Transport& http, NotificationDispatcherOptions options,
                         observability::MetricsRegistry& metrics);

  void start();
  void stop();
  // New rows were written (by this process's engine): look now, not at the next poll.
  void wake();
  // Deliveries under way (shutdown waits for them, bounded).
  std::size_t in_flight() const { return state_->in_flight; }

 private:
  struct State {
    explicit State(boost::asio::any_io_executor ex) : strand(boost::asio::make_strand(ex)), timer(strand) {}
    boost::asio::strand<boost::asio::any_io_executor> strand;
    boost::asio::steady_timer timer;
    std::atomic<std::size_t> in_flight{0};
    std::atomic<bool> stopped{false};
  };
  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<void> deliver(storage::OutboxGroup group);
  boost::asio::awaitable<std::expected<ResolvedTarget, std::string>> resolve(const std::string& key);
  // The outcome of `group` on every row; `sent`: a message went out (it is
  // counted), else the rows only share the outcome of the slice before them.
  boost::asio::awaitable<void> record(const storage::OutboxGroup& group, const std::string& type,
                                      const DeliveryResult& result, bool sent);

  boost::asio::any_io_executor executor_;
  storage::OutboxRepository& outbox_;
  storage::ChannelRepository& channels_;
  core::BlockingPool& blocking_;
  NotificationDispatcherOptions options_;
  ChannelSendContext send_context_;
  observability::MetricsRegistry& metrics_;
  std::shared_ptr<State> state_;
};

}  // namespace sentinel::notify
