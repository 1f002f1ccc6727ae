#include "alerting/scheduler.hpp"

#include "core/claim_round.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <random>

#include "alerting/rule_evaluator.hpp"
#include "core/blocking.hpp"
#include "core/error.hpp"

// See rule_evaluator.cpp: a g++ 12 false positive on Asio's coroutine frames.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace sentinel::alerting {

namespace asio = boost::asio;

Scheduler::Scheduler(asio::any_io_executor executor, storage::AlertEngineStore& store, core::BlockingPool& blocking,
                     RuleEvaluator& evaluator, SchedulerOptions options)
    : executor_(std::move(executor)),
      store_(store),
      blocking_(blocking),
      evaluator_(evaluator),
      options_(std::move(options)),
      state_(std::make_shared<State>(executor_)) {}

void Scheduler::start() { asio::co_spawn(state_->strand, loop(), asio::detached); }

void Scheduler::stop() {
  state_->stopped = true;
  asio::post(state_->strand, [state = state_] { state->timer.cancel(); });
}

asio::awaitable<void> Scheduler::loop() {
  auto state = state_;  // outlives this object's stop() while the loop unwinds
  core::ClaimOutage outage("alert engine");
  // Rules are claimed in batches: when half the slots are free (the other
  // half keeps Prometheus busy meanwhile), not after every evaluation, so a
  // backlog of due rules costs one claim transaction per batch. Each poll
  // still claims whatever room there is.
  const std::size_t refill_at = options_.max_querying / 2;
  bool polled = true;  // the poll timer ran out (or this is the first turn)
  while (!state->stopped) {
    const std::size_t querying = state->querying;
    const std::size_t room = querying < options_.max_querying ? options_.max_querying - querying : 0;
    std::size_t claimed_count = 0;
    if (room > 0 && (polled || querying <= refill_at)) {
      auto claim = [this, room] { return store_.claim_due_rules(options_.owner, options_.default_interval_sec, room); };
      // The database down or restarting: no rule can be claimed or recorded; claim_round retries in a second.
      auto claimed = co_await core::claim_round(blocking_, std::move(claim), outage);
      auto batch = claimed ? std::move(*claimed) : decltype(claimed)::value_type{};
      claimed_count = batch.size();
      for (auto& c : batch) {
        ++state->in_flight;
        ++state->querying;
        auto evaluate = [this, state, refill_at, c = std::move(c)]() mutable -> asio::awaitable<void> {
          // Named, not a temporary of the co_await: see core/blocking.hpp.
          std::function<void()> queried = [state, refill_at] {
            // Room for a batch: wake the loop, once, as the count crosses
            // the mark (not on every evaluation: a strand hand-off each).
            if (--state->querying == refill_at) asio::post(state->strand, [state] { state->timer.cancel(); });
          };
          co_await evaluator_.evaluate(std::move(c), options_.owner, std::move(queried));
          --state->in_flight;
        };
        asio::co_spawn(executor_, std::move(evaluate), asio::detached);
      }
    }
    if (state->stopped) break;
    if (claimed_count > 0 && claimed_count == room) {  // more may be due: claim again at the next batch
      polled = false;
      continue;
    }
    state->timer.expires_after(outage.next_wait(std::chrono::duration_cast<std::chrono::milliseconds>(options_.poll)));
    auto [ec] = co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    polled = ec != asio::error::operation_aborted;
  }
}

std::string make_worker_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::random_device rd;
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(rd() % 100000);
}

}  // namespace sentinel::alerting
