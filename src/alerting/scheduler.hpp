#pragma once
// Runs the alert engine's clock: claims the rules whose slot has come (see
// AlertEngineStore::claim_due_rules) and evaluates them, at most
// `max_querying` before their query has finished (the queries also queue
// behind PROMETHEUS_MAX_CONCURRENCY). Several processes may run a scheduler on the
// same PostgreSQL database: each slot of each rule is claimed by one.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "storage/alert_engine_store.hpp"

namespace sentinel::core {
class BlockingPool;
}

namespace sentinel::alerting {

class RuleEvaluator;

struct SchedulerOptions {
  std::string owner;                           // this worker's name in leases (unique per process)
  std::int64_t default_interval_sec = 60;      // ALERT_CHECK_INTERVAL_SEC
  // Claimed evaluations whose query has not finished (running, or waiting
  // for a query slot). Those writing their outcome do not count: they wait
  // for the database, not Prometheus, and counting them left Prometheus
  // short of queries whenever a batch of outcomes was being written.
  std::size_t max_querying = 64;
  std::chrono::milliseconds poll{250};         // how often to look for due rules
};

class Scheduler {
 public:
  Scheduler(boost::asio::any_io_executor executor, storage::AlertEngineStore& store, core::BlockingPool& blocking,
            RuleEvaluator& evaluator, SchedulerOptions options);

  void start();
  // Stops claiming; evaluations already running finish on their own.
  void stop();
  // Evaluations running, their outcome not yet recorded.
  std::size_t in_flight() const { return state_->in_flight; }

 private:
  // The loop and its timer live on `strand`; evaluations run on the pool's
  // executor and report back through the strand.
  struct State {
    explicit State(boost::asio::any_io_executor ex) : strand(boost::asio::make_strand(ex)), timer(strand) {}
    boost::asio::strand<boost::asio::any_io_executor> strand;
    boost::asio::steady_timer timer;
    std::atomic<std::size_t> in_flight{0};  // claimed, outcome not yet recorded
    std::atomic<std::size_t> querying{0};   // claimed, query not yet finished
    std::atomic<bool> stopped{false};
  };
  boost::asio::awaitable<void> loop();

  boost::asio::any_io_executor executor_;
  storage::AlertEngineStore& store_;
  core::BlockingPool& blocking_;
  RuleEvaluator& evaluator_;
  SchedulerOptions options_;
  std::shared_ptr<State> state_;
};

// "<host>:<pid>:<random>": a lease owner name no other process uses.
std::string make_worker_name();

}  // namespace sentinel::alerting
