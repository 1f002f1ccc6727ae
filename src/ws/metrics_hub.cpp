#include "ws/metrics_hub.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/blocking.hpp"
#include "core/time.hpp"
#include "http/json_text.hpp"
#include "observability/metrics_registry.hpp"
#include "prometheus/errors.hpp"
#include "prometheus/server_metrics.hpp"
#include "storage/server_repository.hpp"

namespace sentinel::ws {

namespace asio = boost::asio;

struct MetricsHub::Poller {
  Poller(asio::any_io_executor ex, domain::Server s) : server(std::move(s)), timer(asio::make_strand(ex)) {}
  domain::Server server;
  asio::steady_timer timer;
  // Guarded by the hub's mutex:
  std::vector<std::weak_ptr<MetricsSession>> subscribers;
  Frame last_frame;
  bool stopped = false;
};

namespace {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// {"type": "metrics", "server_id", "timestamp", "up", "metrics": {...},
//  "polled_at": Unix seconds with ms, when the poll completed}
Frame metrics_frame(const prometheus::Summary& s) {
  auto o = prometheus::to_json(s);
  boost::json::object frame;
  frame["type"] = "metrics";
  for (auto& kv : o) frame[kv.key()] = std::move(kv.value());
  frame["polled_at"] = std::round(unix_now() * 1000.0) / 1000.0;
  return std::make_shared<const std::string>(http::to_json_text(frame));
}

// Prometheus unreachable, timeout…: subscribers learn why values stopped.
Frame error_frame(std::int64_t server_id, const std::string& detail) {
  boost::json::object frame{{"type", "error"},
                            {"server_id", server_id},
                            {"timestamp", core::format_iso8601(core::system_now())},
                            {"detail", detail}};
  return std::make_shared<const std::string>(http::to_json_text(frame));
}

}  // namespace

MetricsHub::MetricsHub(asio::any_io_executor executor, core::BlockingPool& blocking,
                       storage::ServerRepository& servers, prometheus::ServerMetrics& metrics,
                       std::chrono::milliseconds interval, observability::MetricsRegistry& registry)
    : executor_(std::move(executor)),
      blocking_(blocking),
      servers_(servers),
      metrics_(metrics),
      interval_(interval),
      polls_(registry.counter("sentinel_ws_polls_total",
                              "Summary polls made for WebSocket subscribers (one per server per period)")),
      poll_failures_(registry.counter("sentinel_ws_poll_failures_total",
                                      "WebSocket summary polls that failed (Prometheus unreachable, timeout)")) {
  registry.gauge_callback("sentinel_ws_clients", "Open /ws/metrics connections", {},
                          [this] { return static_cast<double>(sessions()); });
  registry.gauge_callback("sentinel_ws_pollers", "Servers polled for WebSocket subscribers right now", {},
                          [this] { return static_cast<double>(pollers()); });
}

MetricsHub::~MetricsHub() = default;

std::size_t MetricsHub::sessions() const {
  std::lock_guard lock(mutex_);
  return sessions_;
}

std::size_t MetricsHub::pollers() const {
  std::lock_guard lock(mutex_);
  return pollers_.size();
}

void MetricsHub::subscribe(const std::shared_ptr<MetricsSession>& session, const domain::Server& server) {
  Frame first;
  std::shared_ptr<Poller> start;
  {
    std::lock_guard lock(mutex_);
    // Counted even when refused: the caller runs the session (to send the
    // 1001 close) and then unsubscribes it like any other, which decrements.
    ++sessions_;
    if (stopping_) {
      session->close(1001, "server shutting down");
      return;
    }
    auto& poller = pollers_[server.id];
    if (!poller || poller->stopped) {
      poller = std::make_shared<Poller>(executor_, server);
      start = poller;
    }
    poller->subscribers.push_back(session);
    first = poller->last_frame;
  }
  if (first) session->send(first);
  if (start)
    asio::co_spawn(start->timer.get_executor(), poll_loop(start), [id = server.id](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("metrics poller for server {} stopped: {}", id, ex.what());
      }
    });
}

void MetricsHub::unsubscribe(const std::shared_ptr<MetricsSession>& session) {
  std::lock_guard lock(mutex_);
  --sessions_;
  auto it = pollers_.find(session->server_id());
  if (it == pollers_.end()) return;
  auto& subs = it->second->subscribers;
  std::erase_if(subs, [&](const std::weak_ptr<MetricsSession>& w) {
    auto s = w.lock();
    return !s || s == session;
  });
  // The last subscriber left: wake the poller so it stops now, not at its next tick.
  if (subs.empty()) asio::post(it->second->timer.get_executor(), [p = it->second] { p->timer.cancel(); });
}

void MetricsHub::shutdown() {
  std::vector<std::shared_ptr<MetricsSession>> all;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [id, p] : pollers_) {
      for (auto& w : p->subscribers)
        if (auto s = w.lock()) all.push_back(std::move(s));
      asio::post(p->timer.get_executor(), [p = p] { p->timer.cancel(); });
    }
  }
  for (auto& s : all) s->close(1001, "server shutting down");
}

void MetricsHub::broadcast(Poller& poller, const Frame& frame) {
  std::vector<std::shared_ptr<MetricsSession>> live;
  {
    std::lock_guard lock(mutex_);
    poller.last_frame = frame;
    live.reserve(poller.subscribers.size());
    for (auto& w : poller.subscribers)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->send(frame);
}

void MetricsHub::close_all(Poller& poller, std::uint16_t code, const std::string& reason) {
  std::vector<std::shared_ptr<MetricsSession>> live;
  {
    std::lock_guard lock(mutex_);
    for (auto& w : poller.subscribers)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->close(code, reason);
}

asio::awaitable<void> MetricsHub::poll_loop(std::shared_ptr<Poller> p) {
  const std::int64_t id = p->server.id;
  auto next = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (p->subscribers.empty() || stopping_) {
        p->stopped = true;
        if (auto it = pollers_.find(id); it != pollers_.end() && it->second == p) pollers_.erase(it);
        co_return;
      }
    }
    // The server may have been deleted or edited since the last period.
    auto lookup = [this, id]() -> std::optional<core::Result<domain::Server>> {
      try {
        return servers_.get(id);
      } catch (const core::DependencyUnavailable&) {
        return std::nullopt;  // database restarting: keep streaming with what we know
      }
    };
    auto found = co_await blocking_.run(std::move(lookup));
    if (found && !*found && found->error().kind == core::ErrorKind::not_found) {
      close_all(*p, 4404, "Server not found");
      std::lock_guard lock(mutex_);
      p->stopped = true;
      p->subscribers.clear();
      if (auto it = pollers_.find(id); it != pollers_.end() && it->second == p) pollers_.erase(it);
      co_return;
    }
    if (found && *found) p->server = std::move(**found);

    auto summary = co_await metrics_.summary(p->server, /*fresh=*/true);
    polls_.inc();
    if (summary) {
      broadcast(*p, metrics_frame(*summary));
    } else {
      poll_failures_.inc();
      const auto error = prometheus::to_api_error(summary.error(), {});
      broadcast(*p, error_frame(id, error.fields.empty() ? error.detail : error.fields.front().msg));
    }

    // Fixed rate: a slow poll shortens the wait; a missed period is skipped,
    // never queued up.
    next += interval_;
    const auto now = std::chrono::steady_clock::now();
    if (next < now) next = now;
    p->timer.expires_at(next);
    co_await p->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace sentinel::ws
