#pragma once
// Live fleet view for /ws/fleet (product.md §8): ONE poller for every client
// of this process, started by the first and stopped after the last leaves.
// Each period it lists the active servers, reads every summary with one
// fleet query (prometheus::FleetMetrics, shared across API processes through
// Redis), serializes the frame once and hands it to every client's bounded
// queue.
//
// Periods are aligned to the wall clock (multiples of the interval since the
// epoch), so the API processes of a deployment poll at the same instants and
// one of them asks Prometheus for all (FleetMetrics's claim).
//
// Delta mode (?delta=1): the first frame is the full list; each later one
// holds only the servers whose values changed since the previous poll, and
// the ids of those that left ("removed"). A delta client whose queue
// overflows is sent the full list again instead of a gap (MetricsSession::
// send_or_resync): dropping a delta would leave it wrong for good.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "prometheus/server_metrics.hpp"
#include "ws/metrics_session.hpp"

namespace sentinel::core {
class BlockingPool;
}
namespace sentinel::storage {
class ServerRepository;
}
namespace sentinel::prometheus {
class FleetMetrics;
}
namespace sentinel::observability {
class Counter;
class MetricsRegistry;
}  // namespace sentinel::observability

namespace sentinel::ws {

class FleetHub {
 public:
  FleetHub(boost::asio::any_io_executor executor, core::BlockingPool& blocking, storage::ServerRepository& servers,
           prometheus::FleetMetrics& fleet, std::chrono::milliseconds interval,
           observability::MetricsRegistry& registry);
  ~FleetHub();
  FleetHub(const FleetHub&) = delete;
  FleetHub& operator=(const FleetHub&) = delete;

  // Adds `session` (starting the poller if needed). The newest full frame,
  // if there is one, is sent at once; otherwise the first poll, which then
  // starts immediately, brings it. After shutdown() the session is closed
  // with 1001. Pair every subscribe() with an unsubscribe().
  void subscribe(const std::shared_ptr<MetricsSession>& session, bool delta);
  void unsubscribe(const std::shared_ptr<MetricsSession>& session);

  // Closes every session with 1001 and stops the poller. Thread-safe.
  void shutdown();

  std::size_t sessions() const;

 private:
  struct Subscriber {
    std::weak_ptr<MetricsSession> session;
    bool delta = false;
    bool needs_full = false;  // joined before the first poll: its first frame is the full list
  };
  struct Frames {
    Frame full;
    Frame delta;  // null: nothing for delta clients this period (an error frame goes to all as `full`)
  };

  boost::asio::awaitable<void> poll_loop();
  boost::asio::awaitable<Frames> poll_once();
  void broadcast(const Frames& frames, bool keep_as_latest);

  boost::asio::any_io_executor executor_;
  core::BlockingPool& blocking_;
  storage::ServerRepository& servers_;
  prometheus::FleetMetrics& fleet_;
  std::chrono::milliseconds interval_;
  observability::Counter& polls_;
  observability::Counter& poll_failures_;
  boost::asio::steady_timer timer_;  // on a strand: the poller's

  // The poller's own state (only poll_loop touches it).
  std::vector<domain::Server> known_servers_;                  // the last list read (kept while the database restarts)
  std::unordered_map<std::int64_t, prometheus::Summary> previous_;  // the last rows sent, for deltas

  mutable std::mutex mutex_;  // guards the members below
  std::vector<Subscriber> subscribers_;
  std::size_t sessions_ = 0;
  Frame latest_full_;
  bool polling_ = false;
  bool stopping_ = false;
};

}  // namespace sentinel::ws
