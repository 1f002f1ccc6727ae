#include "app/alert_engine.hpp"

#include <spdlog/spdlog.h>

#include "alerting/rule_evaluator.hpp"
#include "alerting/scheduler.hpp"
#include "alerting/server_directory.hpp"
#include "config/config.hpp"
#include "http_client/http_client.hpp"
#include "storage/channel_repository.hpp"
#include "notify/notification_dispatcher.hpp"
#include "storage/database.hpp"
#include "storage/outbox_repository.hpp"

namespace sentinel::app {

namespace {

notify::NotificationDispatcherOptions notifier_options(const config::Config& c, std::string owner) {
  notify::NotificationDispatcherOptions o;
  o.owner = std::move(owner);
  o.telegram_bot_token = c.telegram_bot_token;
  o.telegram_chat_id = c.telegram_chat_id;
  o.telegram_api_url = c.telegram_api_url;
  o.telegram_message_thread_id = c.telegram_message_thread_id;
  o.telegram_silent_resolved = c.telegram_silent_resolved;
  o.webhook_url = c.webhook_url;
  o.public_url = c.public_url;
  o.https_proxy = c.https_proxy;
  o.no_proxy = c.no_proxy;
  o.max_backoff = std::chrono::seconds(c.notify_max_backoff_sec);
  return o;
}

}  // namespace

storage::RoutingDefaults routing_defaults(const config::Config& c) {
  return {.telegram_configured = c.telegram_bot_token.has_value() && c.telegram_chat_id.has_value(),
          .webhook_configured = c.webhook_url.has_value(),
          .group_wait_sec = c.group_wait_sec,
          .group_interval_sec = c.group_interval_sec};
}

// Members are built in order, each from the ones before it.
struct AlertEngine::Parts {
  Parts(boost::asio::any_io_executor executor, boost::asio::any_io_executor evaluation_executor,
        const config::Config& config, storage::Database& db,
        storage::ChannelRepository& channels, core::BlockingPool& blocking, prometheus::Client& prometheus,
        http_client::HttpClient& http, observability::MetricsRegistry& metrics, EventListener on_events,
        const std::string& owner, std::size_t max_querying)
      : store(db, core::system_now, routing_defaults(config)),
        outbox(db, core::system_now),
        servers(store, blocking, std::chrono::seconds(2)),
        notifier(executor, outbox, channels, blocking, http, notifier_options(config, owner), metrics),
        evaluator(prometheus, store, blocking, servers, core::system_now,
                  [this, on_events = std::move(on_events)](const std::vector<storage::RecordedEvent>& recorded) {
                    notifier.wake();
                    if (on_events) on_events(recorded);
                  },
                  metrics),
        scheduler(std::move(evaluation_executor), store, blocking, evaluator,
                  alerting::SchedulerOptions{.owner = owner,
                                             .default_interval_sec = config.alert_check_interval_sec,
                                             .max_querying = max_querying,
                                             .poll = std::chrono::milliseconds(250)}) {}

  storage::AlertEngineStore store;
  storage::OutboxRepository outbox;
  alerting::ServerDirectory servers;
  notify::NotificationDispatcher notifier;
  alerting::RuleEvaluator evaluator;
  alerting::Scheduler scheduler;
};

AlertEngine::AlertEngine(boost::asio::any_io_executor executor, boost::asio::any_io_executor evaluation_executor,
                         const config::Config& config, storage::Database& db,
                         storage::ChannelRepository& channels, core::BlockingPool& blocking,
                         prometheus::Client& prometheus, http_client::HttpClient& http,
                         observability::MetricsRegistry& metrics, EventListener on_events) {
  const std::string owner = alerting::make_worker_name();
  // Evaluations before their query has finished: a quarter query Prometheus
  // (its concurrency), the rest wait for a query slot, so that Prometheus
  // never runs short while the scheduler claims more. It claims half of
  // them at a time: a backlog of due rules costs one claim transaction per
  // 2 x PROMETHEUS_MAX_CONCURRENCY rules. Outcomes being written (group
  // commit: they may wait for each other) are not counted.
  const auto max_querying =
      static_cast<std::size_t>(std::max<std::int64_t>(4, 4 * config.prometheus_max_concurrency));
  parts_ = std::make_unique<Parts>(std::move(executor), std::move(evaluation_executor), config, db, channels, blocking, prometheus, http, metrics,
                                   std::move(on_events), owner, max_querying);
  // One process on SQLite (roles share nothing else): leases left by a
  // previous run of this same process are void, so nothing waits them out.
  if (db.dialect() == storage::Dialect::sqlite) parts_->store.release_all_leases();
}

AlertEngine::~AlertEngine() = default;

void AlertEngine::start() {
  parts_->scheduler.start();
  parts_->notifier.start();
}

std::size_t AlertEngine::busy() const { return parts_->scheduler.in_flight() + parts_->notifier.in_flight(); }

void AlertEngine::stop() {
  parts_->scheduler.stop();
  parts_->notifier.stop();
}

}  // namespace sentinel::app
