#pragma once
// Live metrics for /ws/metrics/{server_id}: ONE poller per server, shared
// by all of its subscribers, started by the first and stopped after the
// last leaves. Each period the poller re-reads the server (deleted → every
// subscriber is closed with 4404), reads its summary from Prometheus,
// serializes one frame and hands it to every subscriber's bounded queue.
// The hub keeps weak references and sends outside its lock.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "domain/server.hpp"
#include "ws/metrics_session.hpp"

namespace sentinel::core {
class BlockingPool;
}
namespace sentinel::storage {
class ServerRepository;
}
namespace sentinel::prometheus {
class ServerMetrics;
}
namespace sentinel::observability {
class Counter;
class MetricsRegistry;
}  // namespace sentinel::observability

namespace sentinel::ws {

class MetricsHub {
 public:
  MetricsHub(boost::asio::any_io_executor executor, core::BlockingPool& blocking,
             storage::ServerRepository& servers, prometheus::ServerMetrics& metrics,
             std::chrono::milliseconds interval, observability::MetricsRegistry& registry);
  ~MetricsHub();
  MetricsHub(const MetricsHub&) = delete;
  MetricsHub& operator=(const MetricsHub&) = delete;

  // Adds `session` to `server`'s poller (starting it if needed). The newest
  // frame, if there is one, is sent at once; otherwise the first poll,
  // which starts immediately, brings it. After shutdown() the session is
  // closed with 1001 instead. Either way it counts as open until the
  // matching unsubscribe(), which every subscribe() must be paired with.
  void subscribe(const std::shared_ptr<MetricsSession>& session, const domain::Server& server);
  void unsubscribe(const std::shared_ptr<MetricsSession>& session);

  // Closes every session with 1001 and stops every poller. Thread-safe.
  void shutdown();

  std::size_t sessions() const;
  std::size_t pollers() const;

 private:
  struct Poller;
  boost::asio::awaitable<void> poll_loop(std::shared_ptr<Poller> poller);
  void broadcast(Poller& poller, const Frame& frame);
  void close_all(Poller& poller, std::uint16_t code, const std::string& reason);

  boost::asio::any_io_executor executor_;
  core::BlockingPool& blocking_;
  storage::ServerRepository& servers_;
  prometheus::ServerMetrics& metrics_;
  std::chrono::milliseconds interval_;
  observability::Counter& polls_;
  observability::Counter& poll_failures_;

  mutable std::mutex mutex_;
  std::unordered_map<std::int64_t, std::shared_ptr<Poller>> pollers_;
  std::size_t sessions_ = 0;
  bool stopping_ = false;
};

}  // namespace sentinel::ws
