#pragma once
// core::SharedCache in Redis (GET, SET ... PX): metric snapshots one API
// process fetched, served by the others. Commands run on the blocking
// pool, never on an I/O thread; while Redis is unreachable (Client's pause)
// get() answers a miss at once, without leaving the event loop.
#include "core/shared_cache.hpp"

namespace sentinel::core {
class BlockingPool;
}

namespace sentinel::redis {

class Client;

class SharedCache final : public core::SharedCache {
 public:
  SharedCache(Client& redis, core::BlockingPool& blocking) : redis_(redis), blocking_(blocking) {}

  boost::asio::awaitable<std::optional<std::string>> get(const std::string& key) override;
  void put(std::string key, std::string value, std::chrono::milliseconds ttl) override;
  // SET key 1 NX PX ttl.
  boost::asio::awaitable<bool> claim(const std::string& key, std::chrono::milliseconds ttl) override;

 private:
  Client& redis_;
  core::BlockingPool& blocking_;
};

}  // namespace sentinel::redis
