#pragma once
// The claim step shared by the loops that take work from the database (the
// alert scheduler's due rules, the notification outbox): claim on the
// blocking pool; when the database cannot answer, say so once, wait a
// second and try again; say when it is back. Each loop keeps what is its
// own (how much to claim, what to do with each item).
#include <spdlog/spdlog.h>

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "core/blocking.hpp"

namespace sentinel::core {

class ClaimOutage {
 public:
  // `subject` names the loop in the log: "alert engine", "notifications".
  explicit ClaimOutage(std::string subject) : subject_(std::move(subject)) {}

  bool active() const { return active_; }
  // How long the loop sleeps before its next claim: `poll`, or a second
  // while the database is unreachable.
  std::chrono::milliseconds next_wait(std::chrono::milliseconds poll) const {
    return active_ ? std::chrono::milliseconds(1000) : poll;
  }

  void failed(const std::exception& e) {
    if (!active_) spdlog::warn("{}: cannot claim work from the database: {}", subject_, e.what());
    active_ = true;
  }
  void succeeded() {
    if (active_) spdlog::info("{}: database reachable again", subject_);
    active_ = false;
  }

 private:
  std::string subject_;
  bool active_ = false;
};

// Runs `claim` on the blocking pool. nullopt when it threw (the outage is
// recorded in `outage`); never throws for a database failure.
template <class Claim>
boost::asio::awaitable<std::optional<std::invoke_result_t<Claim&>>> claim_round(BlockingPool& blocking, Claim claim,
                                                                                ClaimOutage& outage) {
  using Claimed = std::invoke_result_t<Claim&>;
  try {
    Claimed claimed = co_await blocking.run(std::move(claim));
    outage.succeeded();
    co_return std::optional<Claimed>(std::move(claimed));
  } catch (const std::exception& e) {
    outage.failed(e);
  }
  co_return std::nullopt;
}

}  // namespace sentinel::core
