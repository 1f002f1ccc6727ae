#pragma once
// The alert engine and notifier of one process (roles "all" and "worker"),
// wired from the configuration: rule scheduler → evaluator → store (events
// and outbox in one transaction) → dispatcher → Telegram / webhook.
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
class AlertEventRepository;
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
// (for /ws/events), on an I/O thread, after commit.
using EventListener = std::function<void(const std::vector<storage::RecordedEvent>&)>;

class AlertEngine {
 public:
  AlertEngine(boost::asio::any_io_executor executor, const config::Config& config, storage::Database& db,
              storage::AlertEventRepository& events, core::BlockingPool& blocking, prometheus::Client& prometheus,
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
