#include "alerting/outcome_writer.hpp"

// See rule_evaluator.cpp: a g++ 12 false positive on Asio's coroutine frames.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>
#include <utility>

#include "core/blocking.hpp"

namespace sentinel::alerting {

namespace asio = boost::asio;
using storage::RecordedEvent;

asio::awaitable<std::vector<RecordedEvent>> OutcomeWriter::write(const domain::AlertRule& rule,
                                                                 storage::EvaluationRecord& record,
                                                                 const std::function<void()>& prepare) {
  auto initiate = [this, &rule, &record, &prepare](auto handler) {
    asio::any_io_executor home =
        asio::prefer(asio::get_associated_executor(handler), asio::execution::outstanding_work.tracked);
    enqueue(Pending{&rule, &record, &prepare, Done(std::move(handler)), std::move(home)});
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                          void(std::exception_ptr, std::vector<RecordedEvent>)>(
      std::move(initiate), asio::use_awaitable);
}

void OutcomeWriter::enqueue(Pending pending) {
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(pending));
    start = !std::exchange(writing_, true);
  }
  if (start) asio::post(blocking_.pool(), [this] { drain(); });
}

void OutcomeWriter::drain() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) {
        writing_ = false;
        return;
      }
      batch.swap(queue_);
    }
    write_batch(batch);
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
  for (std::size_t i = 0; i < n; ++i) {
    auto resume = [done = std::move(batch[i].done), error = errors[i], found = std::move(events[i])]() mutable {
      std::move(done)(error, std::move(found));
    };
    asio::post(batch[i].home, std::move(resume));
  }
}

}  // namespace sentinel::alerting
