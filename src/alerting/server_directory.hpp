#pragma once
// The registered servers as the alert engine needs them (by id to render a
// server rule, by instance to map a fleet rule's series), read from the
// database at most once per `max_age` however many rules are evaluated:
// 10 000 rules per minute must not mean 10 000 server listings.
//
// A fleet rule whose series names an instance the snapshot does not know
// asks for one read after its evaluation began (fresh_since): a server
// registered a moment before the evaluation is then matched, in this
// process or any other, without waiting for the snapshot to expire.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/single_flight.hpp"
#include "storage/alert_engine_store.hpp"

namespace sentinel::core {
class BlockingPool;
}

namespace sentinel::alerting {

struct ServerIndex {
  std::unordered_map<std::int64_t, storage::ServerRef> by_id;
  std::unordered_map<std::string, std::int64_t> id_by_instance;
  std::chrono::steady_clock::time_point read_at{};  // when its read began: it holds every server registered before
};

class ServerDirectory {
 public:
  ServerDirectory(storage::AlertEngineStore& store, core::BlockingPool& blocking,
                  std::chrono::steady_clock::duration max_age)
      : store_(store), blocking_(blocking), max_age_(max_age) {}

  // A snapshot no older than max_age, or while another caller reloads it,
  // that previous snapshot (throws what the database throws).
  boost::asio::awaitable<std::shared_ptr<const ServerIndex>> current();

  // A snapshot read after `since` (this one, or a new read; concurrent
  // callers share a read that began after their `since`). Throws what the
  // database throws.
  boost::asio::awaitable<std::shared_ptr<const ServerIndex>> fresh_since(std::chrono::steady_clock::time_point since);

 private:
  // Reads every server; the newest read becomes the snapshot.
  boost::asio::awaitable<std::shared_ptr<const ServerIndex>> load();

  storage::AlertEngineStore& store_;
  core::BlockingPool& blocking_;
  std::chrono::steady_clock::duration max_age_;
  std::mutex mutex_;
  std::shared_ptr<const ServerIndex> index_;
  std::chrono::steady_clock::time_point loaded_at_{};
  bool reloading_ = false;  // a caller is reading the servers (current())
  core::SingleFlight<std::shared_ptr<const ServerIndex>> reads_;  // fresh_since()'s
};

}  // namespace sentinel::alerting
