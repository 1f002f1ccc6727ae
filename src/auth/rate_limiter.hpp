#pragma once
// Login failure limiter: at most `max_failures` failures per key within
// `window`; once over, attempts are refused until the oldest failure leaves
// the window. Keys are "ip:<addr>" and "user:<email>|ip:<addr>". Thread-safe, bounded
// memory (oldest keys evicted past `max_keys`).
#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "auth/failure_limiter.hpp"
#include "core/time.hpp"

namespace sentinel::auth {

class RateLimiter final : public FailureLimiter {
 public:
  // max_failures and max_keys below 1 count as 1.
  RateLimiter(std::size_t max_failures, std::chrono::seconds window, core::Clock clock,
              std::size_t max_keys = 100000);

  std::optional<int> retry_after(const std::string& key) override;
  void record_failure(const std::string& key) override;
  void reset(const std::string& key) override;

  std::size_t max_failures() const { return max_failures_; }
  std::chrono::seconds window() const { return window_; }

 private:
  void prune(std::deque<core::Timestamp>& q, core::Timestamp now) const;

  std::size_t max_failures_;
  std::chrono::seconds window_;
  core::Clock clock_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<core::Timestamp>> failures_;
};

}  // namespace sentinel::auth
