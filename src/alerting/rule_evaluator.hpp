#pragma once
// Evaluates one claimed rule: renders and runs its PromQL, steps every
// series through the state machine, and records the outcome (series state,
// events, outbox) in one transaction, shared with the evaluations that
// finish at the same time (OutcomeWriter). A failed query changes no series: the
// rule's state becomes "error" with last_error, and the next slot retries.
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "alerting/outcome_writer.hpp"
#include "core/time.hpp"
#include "storage/alert_engine_store.hpp"

namespace sentinel::core {
class BlockingPool;
}
namespace sentinel::prometheus {
class Client;
}
namespace sentinel::observability {
class MetricsRegistry;
class Counter;
class Histogram;
}  // namespace sentinel::observability

namespace sentinel::alerting {

class ServerDirectory;

// Called with the events an evaluation created or resolved, after commit.
using EventSink = std::function<void(const std::vector<storage::RecordedEvent>&)>;

class RuleEvaluator {
 public:
  RuleEvaluator(prometheus::Client& prometheus, storage::AlertEngineStore& store, core::BlockingPool& blocking,
                ServerDirectory& servers, core::Clock clock, EventSink on_events,
                observability::MetricsRegistry& metrics);

  // Never throws: a database failure is logged and counted, and the rule's
  // lease lets it run again at a later slot. Calls `queried` once, as soon
  // as the query has finished (or failed), before the outcome is written.
  boost::asio::awaitable<void> evaluate(storage::ClaimedRule claimed, std::string owner,
                                        std::function<void()> queried = {});

 private:
  boost::asio::awaitable<void> run(storage::ClaimedRule claimed, std::string owner, std::function<void()>& queried,
                                   OutcomeWriter::Expected& expected);

  prometheus::Client& prometheus_;
  storage::AlertEngineStore& store_;
  ServerDirectory& servers_;
  core::Clock clock_;
  EventSink on_events_;
  OutcomeWriter writer_;
  observability::Counter& ok_;
  observability::Counter& failed_;
  observability::Counter& skipped_;
  observability::Histogram& duration_;
};

}  // namespace sentinel::alerting
