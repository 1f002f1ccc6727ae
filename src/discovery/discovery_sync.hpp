#pragma once
// DISCOVERY_JOBS (product.md §10): every DISCOVERY_INTERVAL_SEC, each listed
// job is discovered again (DiscoveryService::sync): new targets registered,
// servers of the job whose target vanished marked inactive (never deleted),
// and those it deactivated itself reactivated when their target returns.
// Runs in the roles that run the alert engine (all, worker). Several
// workers may run it at once: DiscoveryService serializes the registrations
// per job in the database, and a deactivation that another worker made
// first is a no-op.
//
// A failing Prometheus is logged once per failure streak (and once more on
// recovery), counted in sentinel_discovery_runs_total{result="error"}, and
// retried at the next interval; nothing is changed meanwhile.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "domain/server_discovery.hpp"

namespace sentinel::observability {
class MetricsRegistry;
class Counter;
}  // namespace sentinel::observability

namespace sentinel::discovery {

class DiscoveryService;

class DiscoverySync {
 public:
  // `jobs`: DISCOVERY_JOBS (each job with its name_label); `interval`:
  // DISCOVERY_INTERVAL_SEC. Registers its counters in `registry`.
  DiscoverySync(boost::asio::any_io_executor executor, DiscoveryService& service,
                std::vector<domain::DiscoverRequest> jobs, std::chrono::seconds interval,
                observability::MetricsRegistry& registry);

  // The first round runs at once, then one every interval. No-op without jobs.
  void start();
  // No new round starts; a round under way ends with the Prometheus
  // transports' shutdown (app/app.cpp) or finishes its database writes.
  void stop();

 private:
  struct Job {
    domain::DiscoverRequest request;
    std::set<std::string> seen;  // instances seen as targets of the job last round
    bool failing = false;        // in a failure streak (logged once)
  };
  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<void> round(Job& job);

  boost::asio::any_io_executor executor_;
  DiscoveryService& service_;
  std::vector<Job> jobs_;
  std::chrono::seconds interval_;
  std::shared_ptr<boost::asio::steady_timer> timer_;
  std::shared_ptr<std::atomic<bool>> stopped_;
  observability::Counter& runs_ok_;
  observability::Counter& runs_error_;
  observability::Counter& created_;
  observability::Counter& deactivated_;
  observability::Counter& reactivated_;
};

}  // namespace sentinel::discovery
