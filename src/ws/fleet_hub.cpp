#include "ws/fleet_hub.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "core/blocking.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "http/json_text.hpp"
#include "observability/metrics_registry.hpp"
#include "prometheus/errors.hpp"
#include "prometheus/fleet_metrics.hpp"
#include "prometheus/query_catalogue.hpp"
#include "storage/server_repository.hpp"

namespace sentinel::ws {

namespace asio = boost::asio;

namespace {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The same row as last period, apart from its timestamp and an uptime that
// only advanced with the clock (the same boot): otherwise uptime_seconds
// (time() - boot time) would make every row "changed" every period, and a
// delta would be the whole fleet. A client shows uptime_seconds +
// (now - timestamp).
bool unchanged(const prometheus::Summary& before, const prometheus::Summary& now) {
  if (before.up != now.up || before.instance != now.instance || before.job_name != now.job_name ||
      before.values.size() != now.values.size())
    return false;
  static const std::size_t uptime = [] {
    const auto defs = prometheus::summary_metrics();
    std::size_t i = 0;
    while (i < defs.size() && defs[i].key != "uptime_seconds") ++i;
    return i;  // defs.size() if the catalogue had none: every value compared exactly
  }();
  for (std::size_t i = 0; i < now.values.size(); ++i) {
    if (i == uptime && before.values[i] && now.values[i]) {
      const double boot_before = before.evaluated_at - *before.values[i];
      const double boot_now = now.evaluated_at - *now.values[i];
      if (std::abs(boot_now - boot_before) > 1.0) return false;  // rebooted (or the clock jumped)
      continue;
    }
    if (before.values[i] != now.values[i]) return false;
  }
  return true;
}

// {"type": "fleet", ["delta": true,] "timestamp", "polled_at": Unix seconds
//  with ms (when the poll completed), "servers": [summary, ...] [, "removed": [id, ...]]}
Frame fleet_frame(const std::vector<const prometheus::Summary*>& rows, const std::vector<std::int64_t>* removed) {
  boost::json::array servers;
  servers.reserve(rows.size());
  for (const auto* row : rows) servers.push_back(prometheus::to_json(*row));
  boost::json::object frame;
  frame["type"] = "fleet";
  if (removed) frame["delta"] = true;
  frame["timestamp"] = core::format_iso8601(core::system_now());
  frame["polled_at"] = std::round(unix_now() * 1000.0) / 1000.0;
  frame["servers"] = std::move(servers);
  if (removed) frame["removed"] = boost::json::array(removed->begin(), removed->end());
  return std::make_shared<const std::string>(http::to_json_text(frame));
}

Frame error_frame(const std::string& detail) {
  boost::json::object frame{
      {"type", "error"}, {"timestamp", core::format_iso8601(core::system_now())}, {"detail", detail}};
  return std::make_shared<const std::string>(http::to_json_text(frame));
}

}  // namespace

FleetHub::FleetHub(asio::any_io_executor executor, core::BlockingPool& blocking, storage::ServerRepository& servers,
                   prometheus::FleetMetrics& fleet, std::chrono::milliseconds interval,
                   observability::MetricsRegistry& registry)
    : executor_(executor),
      blocking_(blocking),
      servers_(servers),
      fleet_(fleet),
      interval_(std::max(interval, std::chrono::milliseconds(1))),
      polls_(registry.counter("sentinel_ws_fleet_polls_total",
                              "Fleet polls made for /ws/fleet clients (one per period, whatever their number)")),
      poll_failures_(registry.counter("sentinel_ws_fleet_poll_failures_total",
                                      "/ws/fleet polls that failed (Prometheus unreachable, timeout)")),
      timer_(asio::make_strand(executor)) {
  registry.gauge_callback("sentinel_ws_fleet_clients", "Open /ws/fleet connections", {},
                          [this] { return static_cast<double>(sessions()); });
}

FleetHub::~FleetHub() = default;

std::size_t FleetHub::sessions() const {
  std::lock_guard lock(mutex_);
  return sessions_;
}

void FleetHub::subscribe(const std::shared_ptr<MetricsSession>& session, bool delta) {
  Frame first;
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    ++sessions_;  // counted even when refused: unsubscribe() decrements
    if (stopping_) {
      session->close(1001, "server shutting down");
      return;
    }
    first = latest_full_;
    subscribers_.push_back(Subscriber{session, delta, /*needs_full=*/!first});
    if (!polling_) polling_ = start = true;
  }
  if (first) session->send(first);
  if (start)
    asio::co_spawn(timer_.get_executor(), poll_loop(), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("fleet poller stopped: {}", ex.what());
      }
    });
}

void FleetHub::unsubscribe(const std::shared_ptr<MetricsSession>& session) {
  std::lock_guard lock(mutex_);
  --sessions_;
  std::erase_if(subscribers_, [&](const Subscriber& s) {
    auto live = s.session.lock();
    return !live || live == session;
  });
  // The last client left: wake the poller so it stops now, not at its next tick.
  if (subscribers_.empty()) asio::post(timer_.get_executor(), [this] { timer_.cancel(); });
}

void FleetHub::shutdown() {
  std::vector<std::shared_ptr<MetricsSession>> all;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& s : subscribers_)
      if (auto live = s.session.lock()) all.push_back(std::move(live));
  }
  asio::post(timer_.get_executor(), [this] { timer_.cancel(); });
  for (auto& s : all) s->close(1001, "server shutting down");
}

void FleetHub::broadcast(const Frames& frames, bool keep_as_latest) {
  struct Target {
    std::shared_ptr<MetricsSession> session;
    bool delta;
    bool needs_full;
  };
  std::vector<Target> live;
  {
    std::lock_guard lock(mutex_);
    if (keep_as_latest) latest_full_ = frames.full;
    live.reserve(subscribers_.size());
    for (auto& s : subscribers_) {
      if (auto session = s.session.lock()) live.push_back({std::move(session), s.delta, s.needs_full});
      if (keep_as_latest) s.needs_full = false;
    }
  }
  for (auto& t : live) {
    if (!t.delta || !frames.delta || t.needs_full) t.session->send(frames.full);
    else t.session->send_or_resync(frames.delta, frames.full);
  }
}

asio::awaitable<FleetHub::Frames> FleetHub::poll_once() {
  // Active servers, read again each period: added, edited, deactivated and
  // deleted ones show up in the next frame.
  auto list = [this]() -> std::optional<std::vector<domain::Server>> {
    try {
      return servers_.list({true, 0, std::numeric_limits<std::int64_t>::max()});
    } catch (const core::DependencyUnavailable&) {
      return std::nullopt;  // database restarting: keep streaming with what we know
    }
  };
  if (auto fresh = co_await blocking_.run(std::move(list))) known_servers_ = std::move(*fresh);

  // Half a period: the answer another API process fetched at this same
  // period boundary is taken; last period's is not.
  auto rows = co_await fleet_.summaries(known_servers_, interval_ / 2);
  polls_.inc();
  if (!rows) {
    poll_failures_.inc();
    const auto error = prometheus::to_api_error(rows.error(), {});
    co_return Frames{error_frame(error.fields.empty() ? error.detail : error.fields.front().msg), nullptr};
  }

  std::vector<const prometheus::Summary*> all, changed;
  all.reserve(rows->size());
  std::unordered_set<std::int64_t> present;
  for (const auto& row : *rows) {
    all.push_back(&row);
    present.insert(row.server_id);
    auto it = previous_.find(row.server_id);
    if (it == previous_.end() || !unchanged(it->second, row)) changed.push_back(&row);
  }
  std::vector<std::int64_t> removed;
  for (const auto& [id, row] : previous_)
    if (!present.contains(id)) removed.push_back(id);
  std::sort(removed.begin(), removed.end());

  Frames frames{fleet_frame(all, nullptr), fleet_frame(changed, &removed)};
  previous_.clear();
  for (auto& row : *rows) previous_.emplace(row.server_id, std::move(row));
  co_return frames;
}

asio::awaitable<void> FleetHub::poll_loop() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (subscribers_.empty() || stopping_) {
        polling_ = false;
        // The next client starts from a full list.
        latest_full_ = nullptr;
        previous_.clear();
        co_return;
      }
    }
    auto frames = co_await poll_once();
    broadcast(frames, /*keep_as_latest=*/frames.delta != nullptr);

    // The next multiple of the interval on the wall clock: every API process
    // polls at the same instants. A slow poll shortens the wait; a missed
    // period is skipped, never queued up.
    const auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    timer_.expires_after(interval_ - since_epoch % interval_);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace sentinel::ws
