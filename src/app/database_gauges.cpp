#include "app/database_gauges.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <limits>

#include "core/blocking.hpp"
#include "domain/channel.hpp"
#include "observability/metrics_registry.hpp"
#include "storage/self_monitoring_queries.hpp"

namespace sentinel::app {

namespace asio = boost::asio;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Always exported, at 0 when no rule is in them, so a dashboard's panels
// never read "no data".
constexpr std::array<const char*, 5> rule_states{"inactive", "pending", "firing", "error", "paused"};

constexpr const char* rules_help =
    "Alert rules by state (paused: is_active false), read from the database at most every 5 s; "
    "NaN while the database cannot be read";
constexpr const char* outbox_help =
    "Notifications in the outbox not delivered and not given up yet (pending or awaiting a retry) by channel type, "
    "read from the database at most every 5 s; NaN while the database cannot be read";

}  // namespace

DatabaseGauges::DatabaseGauges(storage::Database& db, core::BlockingPool& blocking,
                               observability::MetricsRegistry& registry, DatabaseGaugesOptions options)
    : db_(db), blocking_(blocking), registry_(registry), options_(options) {
  for (const auto type : domain::channel_types()) channels_.emplace(type);
  publish_unknown();
}

asio::awaitable<void> DatabaseGauges::refresh_if_stale() {
  const auto now = std::chrono::steady_clock::now();
  std::uint64_t wanted = 0;
  {
    const std::lock_guard lock(mutex_);
    if (!running_ && (!last_started_ || now - *last_started_ >= options_.ttl)) {
      running_ = true;
      last_started_ = now;
      asio::post(blocking_.pool(), [this] { refresh(); });
    }
    if (!running_) co_return;
    wanted = finished_ + 1;
  }
  // Poll rather than signal: a scrape comes every few seconds at most, and
  // a refresh is one or two milliseconds of SQL.
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto deadline = now + options_.max_wait;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      const std::lock_guard lock(mutex_);
      if (finished_ >= wanted) co_return;
    }
    timer.expires_after(std::chrono::milliseconds(2));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void DatabaseGauges::refresh() {
  try {
    const auto rules = storage::count_rules_by_state(db_);
    const auto outbox = storage::count_outbox_backlog(db_);
    publish_rules(rules);
    publish_outbox(outbox);
    if (failing_) spdlog::info("self-monitoring: rule and outbox counts can be read again");
    failing_ = false;
  } catch (const std::exception& e) {
    publish_unknown();
    if (!failing_) spdlog::warn("self-monitoring: cannot read rule and outbox counts: {}", e.what());
    failing_ = true;
  }
  const std::lock_guard lock(mutex_);
  running_ = false;
  ++finished_;
}

void DatabaseGauges::publish_rules(const std::map<std::string, std::int64_t>& by_state) {
  for (const char* state : rule_states) {
    const auto it = by_state.find(state);
    registry_.gauge("sentinel_rules", rules_help, {{"state", state}})
        .set(it == by_state.end() ? 0.0 : static_cast<double>(it->second));
  }
}

void DatabaseGauges::publish_outbox(const std::map<std::string, std::int64_t>& by_channel) {
  for (const auto& [channel, count] : by_channel) {
    registry_.gauge("sentinel_outbox_depth", outbox_help, {{"channel", channel}}).set(static_cast<double>(count));
    channels_.insert(channel);
  }
  // A channel whose backlog drained is 0, not a stale number.
  for (const auto& channel : channels_)
    if (!by_channel.contains(channel))
      registry_.gauge("sentinel_outbox_depth", outbox_help, {{"channel", channel}}).set(0.0);
}

void DatabaseGauges::publish_unknown() {
  for (const char* state : rule_states) registry_.gauge("sentinel_rules", rules_help, {{"state", state}}).set(nan);
  for (const auto& channel : channels_)
    registry_.gauge("sentinel_outbox_depth", outbox_help, {{"channel", channel}}).set(nan);
}

}  // namespace sentinel::app
