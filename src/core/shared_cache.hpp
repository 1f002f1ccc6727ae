#pragma once
// A cache shared by every process of a deployment (Redis when REDIS_URL is
// set), behind the in-process caches: what one API process fetched, the
// others can serve. Best effort by contract: get() yields nullopt on a miss
// AND when the store cannot be reached; put() may be dropped. Callers never
// fail because of it.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace sentinel::core {

class SharedCache {
 public:
  virtual ~SharedCache() = default;
  // `key` by reference: see core/single_flight.hpp on arguments inside a co_await.
  virtual boost::asio::awaitable<std::optional<std::string>> get(const std::string& key) = 0;
  // Stores `value` for `ttl`; returns at once (the write happens in the background).
  virtual void put(std::string key, std::string value, std::chrono::milliseconds ttl) = 0;
  // Takes `key` for `ttl` unless another process holds it: true when this
  // caller got it, and also when the store cannot be reached (nobody to
  // coordinate with: go ahead). Lets one process of many do a periodic
  // fetch while the others wait for its result in the cache.
  virtual boost::asio::awaitable<bool> claim(const std::string& key, std::chrono::milliseconds ttl) = 0;
};

}  // namespace sentinel::core
