#pragma once
// What login needs of a failure limiter: in-process (RateLimiter) or shared
// by every API process through Redis (redis::SharedRateLimiter). Keys are
// "ip:<client key>" and "user:<email>|ip:<client key>" (AuthService::login).
// Implementations block at most briefly (login runs on the hashing pool)
// and never throw.
#include <optional>
#include <string>

namespace sentinel::auth {

class FailureLimiter {
 public:
  virtual ~FailureLimiter() = default;
  // Seconds to wait (≥ 1) when the key is over its limit, else nullopt.
  virtual std::optional<int> retry_after(const std::string& key) = 0;
  virtual void record_failure(const std::string& key) = 0;
  virtual void reset(const std::string& key) = 0;  // after a successful login
};

}  // namespace sentinel::auth
