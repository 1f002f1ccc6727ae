#include "alerting/outcome_writer.hpp"

// See rule_evaluator.cpp: a g++ 12 false positive on Asio's coroutine frames.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>
#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/blocking.hpp"

namespace sentinel::alerting {

namespace asio = boost::asio;
using storage::RecordedEvent;

OutcomeWriter::Expected OutcomeWriter::expect() {
  std::lock_guard lock(queue_->mutex);
  ++queue_->expected;
  return Expected(queue_, this);
}

OutcomeWriter::Expected::~Expected() {
  if (queue_) unexpect(queue_, writer_);
}

asio::awaitable<std::vector<RecordedEvent>> OutcomeWriter::write(const domain::AlertRule& rule,
                                                                 storage::EvaluationRecord& record,
                                                                 const std::function<void()>& prepare,
                                                                 Expected& expected) {
  // Used up here, before the outcome is queued: from now on it is pending,
  // no longer to come.
  const bool was_expected = std::exchange(expected.queue_, nullptr) != nullptr;
  auto initiate = [this, &rule, &record, &prepare, was_expected](auto handler) {
    asio::any_io_executor home =
        asio::prefer(asio::get_associated_executor(handler), asio::execution::outstanding_work.tracked);
    enqueue(Pending{&rule, &record, &prepare, Done(std::move(handler)), std::move(home)}, was_expected);
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                          void(std::exception_ptr, std::vector<RecordedEvent>)>(
      std::move(initiate), asio::use_awaitable);
}

OutcomeWriter::OutcomeWriter(storage::AlertEngineStore& store, core::BlockingPool& blocking,
                             OutcomeWriterOptions options)
    : store_(store),
      blocking_(blocking),
      options_(options),
      queue_(std::make_shared<Queue>(blocking.pool().get_executor())) {}

OutcomeWriter::~OutcomeWriter() {
  std::lock_guard lock(queue_->mutex);
  queue_->closed = true;
  queue_->timer.cancel();
}

void OutcomeWriter::enqueue(Pending pending, bool was_expected) {
  auto& q = *queue_;
  {
    std::lock_guard lock(q.mutex);
    q.pending.push_back(std::move(pending));
    if (was_expected) --q.expected;
    if (!start_locked()) return;
  }
  asio::post(blocking_.pool(), [this] { drain(); });
}

void OutcomeWriter::unexpect(const std::shared_ptr<Queue>& queue, OutcomeWriter* writer) {
  {
    std::lock_guard lock(queue->mutex);
    --queue->expected;
    if (queue->closed) return;
    if (!writer->start_locked()) return;  // a batch waiting for this outcome need not any more
  }
  asio::post(writer->blocking_.pool(), [writer] { writer->drain(); });
}

bool OutcomeWriter::start_locked() {
  auto& q = *queue_;
  if (q.writing || q.pending.empty()) return false;  // a turn under way looks at the queue when it is done
  const bool wait_for_company =
      q.pending.size() < options_.max_batch && options_.linger.count() > 0 && q.expected > 0;
  if (wait_for_company) {
    linger_locked();
    return false;
  }
  q.writing = true;
  if (q.lingering) {
    q.lingering = false;
    q.timer.cancel();
  }
  return true;
}

void OutcomeWriter::linger_locked() {
  auto& q = *queue_;
  if (q.lingering) return;
  q.lingering = true;
  q.timer.expires_after(options_.linger);
  // Runs on a pool thread (the timer's executor): writes there directly.
  q.timer.async_wait([this, weak = std::weak_ptr<Queue>(queue_)](const boost::system::error_code& ec) {
    if (ec) return;
    const auto queue = weak.lock();
    if (!queue) return;
    {
      std::lock_guard lock(queue->mutex);
      queue->lingering = false;
      if (queue->closed || queue->writing || queue->pending.empty()) return;
      queue->writing = true;
    }
    drain();  // something is pending: its evaluation keeps the writer alive
  });
}

void OutcomeWriter::drain() {
  auto& q = *queue_;
  for (;;) {
    std::vector<Pending> batch;
    {
      std::lock_guard lock(q.mutex);
      batch.swap(q.pending);
    }
    if (!batch.empty()) write_batch(batch);
    std::lock_guard lock(q.mutex);
    q.writing = false;
    if (start_locked()) continue;  // what arrived meanwhile is due now; otherwise it waits for company
    return;
  }
}

void OutcomeWriter::write_batch(std::vector<Pending>& batch) {
  const std::size_t n = batch.size();
  std::vector<std::exception_ptr> errors(n);
  std::vector<std::vector<RecordedEvent>> events(n);

  std::vector<storage::Recording> recordings;
  std::vector<std::size_t> origin;  // recordings[j] is batch[origin[j]]
  recordings.reserve(n);
  origin.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    try {
      (*batch[i].prepare)();
      recordings.push_back({*batch[i].rule, *batch[i].record});
      origin.push_back(i);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  }

  if (!recordings.empty()) {
    try {
      auto written = store_.record_batch(recordings);
      for (std::size_t j = 0; j < written.size(); ++j) events[origin[j]] = std::move(written[j]);
    } catch (const storage::BatchCommittedThenFailed& e) {
      // Every outcome is in the database: writing them again one by one
      // would record their events and notifications twice. Their events are
      // not known here (not published to live clients); the outbox has the
      // notifications, and the next evaluation starts from the stored state.
      spdlog::warn("alert engine: {} outcomes recorded, but their events could not be read back: {}",
                   recordings.size(), e.what());
    } catch (...) {
      if (recordings.size() == 1) {
        errors[origin[0]] = std::current_exception();
      } else {
        // Nothing of the batch was written: each on its own, so that the
        // evaluation at fault fails alone.
        for (std::size_t j = 0; j < recordings.size(); ++j) {
          try {
            events[origin[j]] = store_.record(recordings[j].rule, recordings[j].evaluation);
          } catch (...) {
            errors[origin[j]] = std::current_exception();
          }
        }
      }
    }
  }

  // Each evaluation resumes on its own executor, not on this pool thread.
  // One post for the batch, whose handler resumes them in turn (dispatch
  // runs each inline when its executor is the one it runs on, the usual
  // case), instead of one post, and one thread wake-up, per evaluation.
  struct Resume {
    Done done;
    std::exception_ptr error;
    std::vector<RecordedEvent> events;
    asio::any_io_executor home;
  };
  auto resumes = std::make_shared<std::vector<Resume>>();
  resumes->reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    resumes->push_back({std::move(batch[i].done), errors[i], std::move(events[i]), std::move(batch[i].home)});
  const auto first_home = resumes->front().home;
  asio::post(first_home, [resumes] {
    for (auto& r : *resumes) {
      auto home = std::move(r.home);
      asio::dispatch(home, [done = std::move(r.done), error = r.error, found = std::move(r.events)]() mutable {
        std::move(done)(error, std::move(found));
      });
    }
  });
}

}  // namespace sentinel::alerting
