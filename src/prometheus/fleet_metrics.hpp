#pragma once
// Every server's summary from ONE Prometheus query (query_catalogue's
// fleet_summary_query(): each metric aggregated `by (instance, job)`), for
// GET /metrics/servers/summary and /ws/fleet (product.md §8). A server's
// row is the summary of its (instance, job) target, exactly what the single
// summary answers for it; a target Prometheus does not know is down with
// every metric null, as there.
//
// Answers are cached per set of job names: in this process (concurrent
// callers share one fetch) and, with a shared cache (Redis), across the API
// processes of a deployment, where one process fetches per period while the
// others wait for its answer (SharedCache::claim): Prometheus sees one fleet
// query per period whatever the number of processes and clients.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/single_flight.hpp"
#include "domain/server.hpp"
#include "prometheus/server_metrics.hpp"
#include "prometheus/summary_snapshot.hpp"

namespace sentinel::core {
class SharedCache;
}

namespace sentinel::prometheus {

class Client;

using SharedFleetSnapshot = std::shared_ptr<const FleetSnapshot>;

class FleetMetrics {
 public:
  // shared: the cross-process cache, or null.
  FleetMetrics(Client& client, core::SharedCache* shared = nullptr);

  // The summaries of `servers`, in their order, from a fleet answer no
  // older than `max_age` (0: a new one, or the one being fetched right
  // now). Fails as a single summary does when the query fails. No server:
  // no query.
  boost::asio::awaitable<QueryOutcome<std::vector<Summary>>> summaries(std::vector<domain::Server> servers,
                                                                      std::chrono::milliseconds max_age);

  // The fleet answer for the targets of `servers`' job names (see summaries()).
  boost::asio::awaitable<QueryOutcome<SharedFleetSnapshot>> snapshot(const std::vector<domain::Server>& servers,
                                                                     std::chrono::milliseconds max_age);

  // `servers`' rows of `snapshot`.
  static std::vector<Summary> rows(const FleetSnapshot& snapshot, const std::vector<domain::Server>& servers);

 private:
  struct Cached {
    SharedFleetSnapshot snapshot;
    std::chrono::steady_clock::time_point fetched;
  };
  SharedFleetSnapshot cached(const std::string& key, std::chrono::milliseconds max_age);
  void store(const std::string& key, const SharedFleetSnapshot& s, std::chrono::steady_clock::time_point fetched);
  // From the shared cache (waiting for another process's fetch under way)
  // or from Prometheus; refreshes the caches.
  boost::asio::awaitable<QueryOutcome<SharedFleetSnapshot>> fetch(std::vector<std::string> jobs, std::string key,
                                                                  std::chrono::milliseconds max_age);
  // The shared cache's answer for job set `key` when younger than max_age.
  boost::asio::awaitable<std::optional<SharedFleetSnapshot>> shared_snapshot(const std::string& key,
                                                                             std::chrono::milliseconds max_age);
  boost::asio::awaitable<QueryOutcome<SharedFleetSnapshot>> query(const std::vector<std::string>& jobs);

  Client& client_;
  core::SharedCache* shared_;
  std::mutex mutex_;
  std::unordered_map<std::string, Cached> cache_;  // by job set
  core::SingleFlight<QueryOutcome<SharedFleetSnapshot>> flights_;
};

}  // namespace sentinel::prometheus
