#pragma once
// What the metrics endpoints and the WebSocket pollers read about one
// server: the summary (every catalogue query at once, at one evaluation
// time), a metric's history, and its containers (cAdvisor).
#include <boost/asio/awaitable.hpp>
#include <boost/json/fwd.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/single_flight.hpp"
#include "domain/server.hpp"
#include "prometheus/result.hpp"

namespace sentinel::core {
class SharedCache;
}

namespace sentinel::prometheus {

class Client;

struct Summary {
  std::int64_t server_id = 0;
  std::string instance;
  std::string job_name;
  double evaluated_at = 0;  // Unix seconds (ms precision): the instant every query was evaluated at
  bool up = false;          // the target's last scrape succeeded
  std::vector<std::optional<double>> values;  // in summary_metrics() order; nullopt = no data
};

struct RangeData {
  std::string metric;
  double step = 0;
  std::vector<Point> points;  // the first series (summary queries yield at most one)
};

struct ContainerStats {
  std::string name;
  std::string image;
  std::optional<double> cpu_usage_percent;
  std::optional<double> memory_usage_bytes;
  std::optional<double> memory_limit_bytes;  // nullopt = no limit
  std::optional<double> network_receive_bytes_per_second;
  std::optional<double> network_transmit_bytes_per_second;
};

// {"server_id", "instance", "job_name", "timestamp", "up", "metrics": {...}}
// (product.md §3); NaN and ±Inf become null.
boost::json::object to_json(const Summary& s);

class ServerMetrics {
 public:
  // cache_ttl: a summary is reused for this long (0 = never) by every caller
  // (REST and WebSocket), keyed by the server's instance and job.
  // shared: the cross-process cache (Redis), asked on a miss of this
  // process's own cache and given every summary fetched; null without one.
  ServerMetrics(Client& client, std::chrono::milliseconds cache_ttl, core::SharedCache* shared = nullptr);

  // One Prometheus query (query_catalogue's summary_query()) evaluates
  // every metric at one instant. Fails when the query fails (Prometheus
  // unreachable, timeout, error): a partial summary would show "no data"
  // where the truth is "unknown". A target that is down is not a failure:
  // `up` is false.
  //
  // With a cache (cache_ttl > 0), concurrent callers for one target share
  // one fetch: whoever arrives while a fetch is under way waits for it.
  //
  // `fresh`: skip the caches (the result still refreshes them); a fetch
  // already under way is joined all the same, its answer being no older
  // than one it would start. The WebSocket pollers ask for fresh values
  // every period; REST callers reuse theirs.
  boost::asio::awaitable<QueryOutcome<Summary>> summary(const domain::Server& server, bool fresh = false);

  // One summary metric over [start, end] every `step` seconds.
  boost::asio::awaitable<QueryOutcome<RangeData>> range(const domain::Server& server, std::string metric, double start,
                                                       double end, double step);

  // Containers seen by the server's cAdvisor (server.cadvisor_instance must be set), sorted by name.
  boost::asio::awaitable<QueryOutcome<std::vector<ContainerStats>>> containers(const domain::Server& server);

 private:
  struct CacheEntry {
    Summary summary;
    std::chrono::steady_clock::time_point fetched;
  };
  std::optional<Summary> cached(const std::string& key);
  void store(const std::string& key, const Summary& s, std::chrono::steady_clock::time_point fetched);
  // The summary of `server`'s target from the shared cache (when `shared`)
  // or from Prometheus; refreshes the caches.
  boost::asio::awaitable<QueryOutcome<Summary>> fetch(domain::Server server, std::string key, bool shared);
  boost::asio::awaitable<QueryOutcome<Summary>> query(const domain::Server& server);

  Client& client_;
  std::chrono::milliseconds cache_ttl_;
  core::SharedCache* shared_;
  std::mutex mutex_;
  std::unordered_map<std::string, CacheEntry> cache_;
  core::SingleFlight<QueryOutcome<Summary>> flights_;
};

}  // namespace sentinel::prometheus
