#pragma once
// The Prometheus HTTP API client (instant and range queries) used by the
// metrics endpoints, the WebSocket pollers and rule validation. Works with
// any Prometheus-compatible API (Prometheus, Thanos, Mimir,
// VictoriaMetrics). Asynchronous on the event loop; at most
// `max_concurrency` queries in flight per process, the others wait in
// arrival order; every query has a deadline.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/async_semaphore.hpp"
#include "prometheus/result.hpp"
#include "prometheus/targets.hpp"

namespace sentinel::http_client {
class Transport;
}

namespace sentinel::prometheus {

struct ClientOptions {
  std::string base_url = "http://localhost:9090";  // PROMETHEUS_URL
  std::chrono::milliseconds timeout{10000};        // PROMETHEUS_TIMEOUT_SEC, per query
  std::size_t max_concurrency = 16;                // PROMETHEUS_MAX_CONCURRENCY
  std::optional<std::string> username;             // basic auth (PROMETHEUS_USERNAME / _PASSWORD)
  std::optional<std::string> password;
  std::optional<std::string> bearer_token;         // PROMETHEUS_BEARER_TOKEN
};

// Called after every query (for self-monitoring): the API endpoint
// ("query" or "query_range"), the error if it failed, and how long it took
// including the wait for a concurrency slot.
using QueryObserver = std::function<void(std::string_view endpoint, const QueryError* error, double seconds)>;

class Client {
 public:
  // Queries go through `http`: a KeepAliveClient for a plain http://
  // Prometheus, an HttpClient otherwise (app/app.cpp chooses).
  Client(http_client::Transport& http, ClientOptions options, QueryObserver observer = {});
  // A client of the same Prometheus, options and observer that sends
  // through `http` and shares `sharing_slots`'s concurrency slots: the
  // alert engine's, whose connections live on its own event loop
  // (app/app.cpp), within the same per-process limit.
  Client(const Client& sharing_slots, http_client::Transport& http);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Instant query at `at` (Unix seconds; Prometheus's "now" when absent).
  // Fails with a QueryError; never throws for network or Prometheus errors.
  boost::asio::awaitable<QueryOutcome<QueryResult>> instant(std::string promql, std::optional<double> at = {});

  // Range query over [start, end] every `step` seconds.
  boost::asio::awaitable<QueryOutcome<QueryResult>> range(std::string promql, double start, double end, double step);

  // Instant query whose successful answer is Prometheus's `data` object,
  // unchanged (for the ad-hoc query endpoint). An answer over `max_bytes`
  // is cut off while it is read and fails with `too_large`.
  boost::asio::awaitable<QueryOutcome<boost::json::value>> instant_data(std::string promql, std::optional<double> at,
                                                                        std::size_t max_bytes = default_max_bytes);

  // The byte limit of every answer but an ad-hoc one's.
  static constexpr std::size_t default_max_bytes = 64 * 1024 * 1024;

  // Every active scrape target (GET /api/v1/targets?state=active), with
  // the same deadline and concurrency slot as a query. The answer holds
  // every target of every job (≈ 1 KiB each): one over `max_bytes` is cut
  // off while it is read and fails with `too_large`. Fails with a
  // QueryError; never throws for network or Prometheus errors.
  boost::asio::awaitable<QueryOutcome<std::vector<ActiveTarget>>> active_targets(
      std::size_t max_bytes = targets_max_bytes);

  // The default byte limit of the targets answer: ≈ 30 000 targets.
  static constexpr std::size_t targets_max_bytes = 32 * 1024 * 1024;

  // A trivial query with its own deadline: succeeds when the datasource
  // answers queries (readiness).
  boost::asio::awaitable<QueryOutcome<void>> ping(std::chrono::milliseconds timeout);

  const ClientOptions& options() const { return options_; }

  // Queries waiting for a concurrency slot right now.
  std::size_t queued() const { return slots_->waiting(); }

 private:
  struct Raw {
    long status = 0;
    std::string body;
  };
  // POSTs form fields to /api/v1/<endpoint> (or, with `get`, sends them
  // as its query string) within `timeout` (queue wait included), holding a
  // concurrency slot for the duration when `queue`.
  boost::asio::awaitable<QueryOutcome<Raw>> post(std::string_view endpoint, std::string form,
                                                 std::chrono::milliseconds timeout, bool queue,
                                                 std::size_t max_bytes = default_max_bytes, bool get = false);
  std::string form_common(std::string_view promql) const;

  http_client::Transport& http_;
  ClientOptions options_;
  QueryObserver observer_;
  std::shared_ptr<core::AsyncSemaphore> slots_;  // shared with sibling clients
};

}  // namespace sentinel::prometheus
