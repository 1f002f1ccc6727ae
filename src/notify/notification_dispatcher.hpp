#pragma once
// Delivers the notification outbox: claims due rows (leased, so a crash
// means redelivery, never loss), formats each for its channel (Telegram,
// webhook), sends it, and records the outcome. Transient failures (network,
// timeout, 5xx, 429) are retried with exponential backoff, or after the
// wait Telegram asks for; permanent ones (4xx, channel not configured) and
// rows out of attempts are marked failed, and so is their event.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "notify/delivery_result.hpp"
#include "storage/outbox_repository.hpp"

namespace sentinel::core {
class BlockingPool;
}
namespace sentinel::http_client {
class HttpClient;
}
namespace sentinel::storage {
class AlertEventRepository;
}
namespace sentinel::observability {
class MetricsRegistry;
}

namespace sentinel::notify {

struct Notification;

struct NotificationDispatcherOptions {
  std::string owner;  // this process's name in outbox leases
  // Telegram: off until both are set.
  std::optional<std::string> telegram_bot_token;
  std::optional<std::string> telegram_chat_id;
  std::string telegram_api_url = "https://api.telegram.org";
  std::optional<std::int64_t> telegram_message_thread_id;
  bool telegram_silent_resolved = false;
  std::optional<std::string> webhook_url;
  std::optional<std::string> https_proxy;  // for Telegram and webhooks
  std::optional<std::string> no_proxy;
  std::chrono::seconds request_timeout{10};
  std::int64_t max_attempts = 8;  // then the row (and its event) is "failed"
  std::chrono::seconds first_backoff{5};
  std::chrono::seconds max_backoff{3600};  // NOTIFY_MAX_BACKOFF_SEC: caps the backoff and a target's Retry-After
  std::size_t max_in_flight = 8;
  std::chrono::milliseconds poll{500};  // how often to look for due rows when not woken
};

// The wait before attempt `attempts + 1` (attempts already made ≥ 1):
// first_backoff doubled per attempt, capped at max_backoff.
std::chrono::seconds backoff_after(std::int64_t attempts, const NotificationDispatcherOptions& options);

// The wait before retrying after `result`: the target's retry_after when it
// gave one, else backoff_after(attempts); never more than max_backoff.
std::chrono::seconds retry_delay(const DeliveryResult& result, std::int64_t attempts,
                                 const NotificationDispatcherOptions& options);

class NotificationDispatcher {
 public:
  NotificationDispatcher(boost::asio::any_io_executor executor, storage::OutboxRepository& outbox,
             storage::AlertEventRepository& events, core::BlockingPool& blocking, http_client::HttpClient& http,
             NotificationDispatcherOptions options, observability::MetricsRegistry& metrics);

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
  boost::asio::awaitable<void> deliver(storage::OutboxItem item);
  boost::asio::awaitable<DeliveryResult> send(const storage::OutboxItem& item, const Notification& n);
  boost::asio::awaitable<DeliveryResult> send_telegram(const Notification& n);
  boost::asio::awaitable<DeliveryResult> send_webhook(const Notification& n);

  boost::asio::any_io_executor executor_;
  storage::OutboxRepository& outbox_;
  storage::AlertEventRepository& events_;
  core::BlockingPool& blocking_;
  http_client::HttpClient& http_;
  NotificationDispatcherOptions options_;
  observability::MetricsRegistry& metrics_;
  std::shared_ptr<State> state_;
};

}  // namespace sentinel::notify
