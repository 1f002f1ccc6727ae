#pragma once
// Group commit of evaluation outcomes. Evaluations that finish while the
// writer is busy are written together at its next turn: one trip to the
// database pool and one transaction (AlertEngineStore::record_batch) for the
// lot, instead of a pool hand-off, a commit and a WAL append each. With
// thousands of rules due at once (bench/alerts) the batch grows with the
// backlog; a lone evaluation is written at once, alone.
//
// One writer turn runs at a time per process. A batch that fails as a whole
// (one evaluation's rows violate a constraint, say) is written again one
// evaluation at a time, so one bad outcome cannot lose the others.
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <exception>
#include <functional>
#include <mutex>
#include <vector>

#include "domain/alert_rule.hpp"
#include "storage/alert_engine_store.hpp"

namespace sentinel::core {
class BlockingPool;
}

namespace sentinel::alerting {

class OutcomeWriter {
 public:
  OutcomeWriter(storage::AlertEngineStore& store, core::BlockingPool& blocking) : store_(store), blocking_(blocking) {}
  OutcomeWriter(const OutcomeWriter&) = delete;
  OutcomeWriter& operator=(const OutcomeWriter&) = delete;

  // Runs `prepare` on a database pool thread (it may read the store: the
  // rule's stored series), then writes `record` for `rule`; returns the
  // events it created or resolved, after commit. `rule`, `record` and
  // `prepare` must stay alive until then (the awaiting coroutine owns them).
  // Throws what preparing or writing this evaluation threw.
  boost::asio::awaitable<std::vector<storage::RecordedEvent>> write(const domain::AlertRule& rule,
                                                                    storage::EvaluationRecord& record,
                                                                    const std::function<void()>& prepare);

 private:
  using Done = boost::asio::any_completion_handler<void(std::exception_ptr, std::vector<storage::RecordedEvent>)>;
  struct Pending {
    const domain::AlertRule* rule;
    storage::EvaluationRecord* record;
    const std::function<void()>* prepare;
    Done done;
    // The awaiting coroutine's executor, holding its io_context's work
    // count until the result is posted back there.
    boost::asio::any_io_executor home;
  };

  void enqueue(Pending pending);
  void drain();  // on a pool thread: writes batches until the queue is empty
  void write_batch(std::vector<Pending>& batch);

  storage::AlertEngineStore& store_;
  core::BlockingPool& blocking_;
  std::mutex mutex_;
  std::vector<Pending> queue_;
  bool writing_ = false;  // a drain() is scheduled or running
};

}  // namespace sentinel::alerting
