#pragma once
// Login failure limits shared by every API process (REDIS_URL): the same
// sliding window as auth::RateLimiter, kept in Redis as one sorted set of
// failure times per key ("sentinel:login:<key>"), so N processes behind a
// load balancer allow the attempts one would. Each operation is one Lua
// script (atomic in Redis). While Redis cannot be reached the process's own
// RateLimiter decides (it sees every failure made through this process, so
// it goes on limiting); Client logs the outage once.
#include <atomic>
#include <optional>
#include <string>

#include "auth/failure_limiter.hpp"
#include "auth/rate_limiter.hpp"
#include "core/time.hpp"

namespace sentinel::redis {

class Client;

class SharedRateLimiter final : public auth::FailureLimiter {
 public:
  // `local` sets the limit and the window, and stands in for Redis.
  SharedRateLimiter(Client& redis, auth::RateLimiter& local, core::Clock clock,
                    std::string key_prefix = "sentinel:login:");

  std::optional<int> retry_after(const std::string& key) override;
  void record_failure(const std::string& key) override;
  void reset(const std::string& key) override;

 private:
  Client& redis_;
  auth::RateLimiter& local_;
  core::Clock clock_;
  std::string prefix_;
  std::atomic<bool> script_error_logged_{false};
};

}  // namespace sentinel::redis
