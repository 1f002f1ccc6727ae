#pragma once
// sentinel_rules{state} and sentinel_outbox_depth{channel}: counts read from
// the database, so every process of a cluster reports the same truth (a
// dashboard takes max() over them). A scrape re-reads them when they are
// older than the TTL, on the blocking pool, so that frequent scrapes cost the
// database nothing and an I/O thread never waits on SQL.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace sentinel::core {
class BlockingPool;
}
namespace sentinel::storage {
class Database;
}
namespace sentinel::observability {
class MetricsRegistry;
}

namespace sentinel::app {

struct DatabaseGaugesOptions {
  std::chrono::steady_clock::duration ttl = std::chrono::seconds(5);
  // How long a scrape waits for a refresh before it serves the values it
  // has; the refresh goes on and the next scrape gets its result.
  std::chrono::steady_clock::duration max_wait = std::chrono::seconds(2);
};

class DatabaseGauges {
 public:
  // Registers the series (NaN until the first refresh). `db` and `blocking`
  // must outlive every refresh started: join the pool before destroying this.
  DatabaseGauges(storage::Database& db, core::BlockingPool& blocking, observability::MetricsRegistry& registry,
                 DatabaseGaugesOptions options = {});

  // Call before rendering /metrics. Starts a refresh when the last one began
  // more than `ttl` ago and none is running, then waits for the one running
  // (at most `max_wait`). Never throws: a failed refresh sets every series
  // to NaN until one succeeds.
  boost::asio::awaitable<void> refresh_if_stale();

 private:
  void refresh();  // on the blocking pool
  void publish_rules(const std::map<std::string, std::int64_t>& by_state);
  void publish_outbox(const std::map<std::string, std::int64_t>& by_channel);
  void publish_unknown();

  storage::Database& db_;
  core::BlockingPool& blocking_;
  observability::MetricsRegistry& registry_;
  DatabaseGaugesOptions options_;

  std::mutex mutex_;
  bool running_ = false;
  std::uint64_t finished_ = 0;  // refreshes done, successful or not
  std::optional<std::chrono::steady_clock::time_point> last_started_;

  // Touched by refresh() only, and one refresh runs at a time.
  std::set<std::string> channels_;  // every channel ever reported: each stays a series
  bool failing_ = false;            // logs the first failure of a streak, not every one
};

}  // namespace sentinel::app
