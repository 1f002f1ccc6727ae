#pragma once
// The alert engine and notifier of one process (roles "all" and "worker"),
// wired from the configuration: rule scheduler → evaluator → store (events
// and outbox in one transaction) → dispatcher → each channel.
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "storage/alert_engine_store.hpp"

namespace sentinel::config {
struct Config;
}
namespace sentinel::core {
class BlockingPool;
}
namespace sentinel::storage {
class Database;
class ChannelRepository;
}  // namespace sentinel::storage
namespace sentinel::prometheus {
class Client;
}
namespace sentinel::http_client {
class HttpClient;
}
namespace sentinel::observability {
class MetricsRegistry;
}

namespace sentinel::app {

// Receives every event created or resolved by this process's engine
// (for /ws/events), on the evaluation thread, after commit.
using EventListener = std::function<void(const std::vector<storage::RecordedEvent>&)>;

// Where notifications go by the environment (TELEGRAM_*, WEBHOOK_URL) and
// how they are grouped by default (GROUP_WAIT_SEC, GROUP_INTERVAL_SEC).
storage::RoutingDefaults routing_defaults(const config::Config& config);

// Rules are evaluated on `evaluation_executor`: an event loop run by one
// thread of its own (app/app.cpp), with `prometheus` sending through
// connections of that loop. Thousands of small evaluations a second on one
// thread never wake another one; on the shared I/O threads those wake-ups
// cost the engine and Prometheus a sixth of their CPU (bench/alerts).
// Notifications are delivered from `executor` (the I/O threads, `http`).
class AlertEngine {
 public:
  AlertEngine(boost::asio::any_io_executor executor, boost::asio::any_io_executor evaluation_executor,
              const config::Config& config, storage::Database& db,
              storage::ChannelRepository& channels, core::BlockingPool& blocking, prometheus::Client& prometheus,
              http_client::HttpClient& http, observability::MetricsRegistry& metrics, EventListener on_events);
  ~AlertEngine();

  void start();
  // Stops claiming rules and outbox rows; work in flight finishes or, if
  // cut short, is redone by whoever holds the lease next.
  void stop();
  // Evaluations and deliveries still running after stop(); shutdown waits
  // (bounded) for them so their outcome is recorded.
  std::size_t busy() const;

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace sentinel::app
