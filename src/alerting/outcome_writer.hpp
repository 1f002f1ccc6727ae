#pragma once
// Group commit of evaluation outcomes. Evaluations that finish close
// together are written together: one trip to the database pool and one
// transaction (AlertEngineStore::record_batch) for the lot, instead of a
// pool hand-off, a commit and a WAL append each. With thousands of rules
// due at once (bench/alerts) outcomes arrive every ~0.1 ms and a write
// takes about as long: without waiting, nearly every batch held one or two.
//
// When a batch is written (PostgreSQL's commit_delay / commit_siblings):
//   * at once when no other announced evaluation is still under way
//     (expect()): nobody to wait for, so a lone evaluation, and the last
//     one of a burst, is written without delay;
//   * at once when it holds `max_batch` outcomes;
//   * otherwise `linger` after its first outcome arrived, at the latest.
//
// One writer turn runs at a time per process. A batch that fails as a whole
// (one evaluation's rows violate a constraint, say) is written again one
// evaluation at a time, so one bad outcome cannot lose the others.
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "domain/alert_rule.hpp"
#include "storage/alert_engine_store.hpp"

namespace sentinel::core {
class BlockingPool;
}

namespace sentinel::alerting {

struct OutcomeWriterOptions {
  std::chrono::microseconds linger{10000};  // how long a batch waits at most for company; 0: write at once
  std::size_t max_batch = 64;               // a batch this large is written without waiting
};

class OutcomeWriter {
  struct Queue;  // private, defined below

 public:
  OutcomeWriter(storage::AlertEngineStore& store, core::BlockingPool& blocking, OutcomeWriterOptions options = {});
  ~OutcomeWriter();
  OutcomeWriter(const OutcomeWriter&) = delete;
  OutcomeWriter& operator=(const OutcomeWriter&) = delete;

  // An evaluation under way whose outcome is still to come: while one is
  // outstanding, a batch may wait (up to `linger`) for its outcome. It is
  // used up by write(); destroyed unused (the evaluation failed before it
  // had an outcome), it no longer holds a batch back. It may outlive the
  // writer (a coroutine frame destroyed with its event loop at shutdown):
  // it then does nothing.
  class Expected {
   public:
    Expected() = default;
    Expected(Expected&& other) noexcept
        : queue_(std::move(other.queue_)), writer_(std::exchange(other.writer_, nullptr)) {}
    Expected& operator=(Expected&&) = delete;
    ~Expected();

   private:
    friend class OutcomeWriter;
    Expected(std::shared_ptr<Queue> queue, OutcomeWriter* writer) : queue_(std::move(queue)), writer_(writer) {}
    std::shared_ptr<Queue> queue_;  // null once used up or moved from
    OutcomeWriter* writer_ = nullptr;
  };
  Expected expect();

  // Runs `prepare` on a database pool thread (it may read the store: the
  // rule's stored series), then writes `record` for `rule`; returns the
  // events it created or resolved, after commit. `rule`, `record` and
  // `prepare` must stay alive until then (the awaiting coroutine owns them).
  // `expected`, this evaluation's announcement, is used up (a default-made
  // one: an evaluation that was not announced). Throws what
  // preparing or writing this evaluation threw.
  boost::asio::awaitable<std::vector<storage::RecordedEvent>> write(const domain::AlertRule& rule,
                                                                    storage::EvaluationRecord& record,
                                                                    const std::function<void()>& prepare,
                                                                    Expected& expected);

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

  // Shared with the linger timer's handler and with announcements, which
  // may outlive the writer (they then find it closed).
  struct Queue {
    explicit Queue(boost::asio::any_io_executor ex) : timer(std::move(ex)) {}
    std::mutex mutex;
    std::vector<Pending> pending;
    std::size_t expected = 0;  // announced outcomes still to come
    bool closed = false;       // the writer is gone
    bool writing = false;      // a drain() is scheduled or running
    bool lingering = false;    // the timer is set
    boost::asio::steady_timer timer;
  };

  void enqueue(Pending pending, bool was_expected);
  // An announced outcome will not come; `writer` is used only while the
  // queue is not closed.
  static void unexpect(const std::shared_ptr<Queue>& queue, OutcomeWriter* writer);
  bool start_locked();       // true: the caller posts drain(); queue_->mutex held
  void linger_locked();      // sets the timer unless set; queue_->mutex held
  void drain();          // on a pool thread: writes full batches, then lingers for the rest
  void write_batch(std::vector<Pending>& batch);

  storage::AlertEngineStore& store_;
  core::BlockingPool& blocking_;
  OutcomeWriterOptions options_;
  std::shared_ptr<Queue> queue_;
};

}  // namespace sentinel::alerting
