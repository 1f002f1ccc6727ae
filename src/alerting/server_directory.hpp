#pragma once
// The registered servers as the alert engine needs them (by id to render a
// server rule, by instance to map a fleet rule's series), read from the
// database at most once per `max_age` however many rules are evaluated:
// 10 000 rules per minute must not mean 10 000 server listings.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "storage/alert_engine_store.hpp"

namespace sentinel::core {
class BlockingPool;
}

namespace sentinel::alerting {

struct ServerIndex {
  std::unordered_map<std::int64_t, storage::ServerRef> by_id;
  std::unordered_map<std::string, std::int64_t> id_by_instance;
};

class ServerDirectory {
 public:
  ServerDirectory(storage::AlertEngineStore& store, core::BlockingPool& blocking,
                  std::chrono::steady_clock::duration max_age)
      : store_(store), blocking_(blocking), max_age_(max_age) {}

  // A snapshot no older than max_age, or while another caller reloads it,
  // that previous snapshot (throws what the database throws).
  boost::asio::awaitable<std::shared_ptr<const ServerIndex>> current();

 private:
  storage::AlertEngineStore& store_;
  core::BlockingPool& blocking_;
  std::chrono::steady_clock::duration max_age_;
  std::mutex mutex_;
  std::shared_ptr<const ServerIndex> index_;
  std::chrono::steady_clock::time_point loaded_at_{};
  bool reloading_ = false;  // a caller is reading the servers
};

}  // namespace sentinel::alerting
