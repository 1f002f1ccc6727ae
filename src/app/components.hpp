#pragma once
// The parts `sentinel serve` is built from, one struct per concern, each
// built in place from the ones before it (they hold references to each
// other, so none of them moves). app.cpp's serve() composes them in order.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>

#include "app/alert_engine.hpp"
#include "auth/auth_service.hpp"
#include "auth/jwt.hpp"
#include "auth/rate_limiter.hpp"
#include "config/config.hpp"
#include "core/blocking.hpp"
#include "core/shared_cache.hpp"
#include "http_client/http_client.hpp"
#include "http_client/keep_alive_client.hpp"
#include "observability/metrics_registry.hpp"
#include "prometheus/client.hpp"
#include "prometheus/fleet_metrics.hpp"
#include "prometheus/server_metrics.hpp"
#include "redis/client.hpp"
#include "redis/event_channel.hpp"
#include "storage/alert_event_repository.hpp"
#include "storage/alert_rule_repository.hpp"
#include "storage/api_token_repository.hpp"
#include "storage/audit_repository.hpp"
#include "storage/channel_repository.hpp"
#include "storage/outbox_repository.hpp"
#include "storage/server_repository.hpp"
#include "storage/silence_repository.hpp"
#include "storage/user_repository.hpp"
#include "ws/events_hub.hpp"
#include "ws/fleet_hub.hpp"
#include "ws/metrics_hub.hpp"
#include "ws/session_rights.hpp"
#include "ws/websocket_handler.hpp"

namespace sentinel::app {

// One repository per aggregate, over one database. Channel secrets are
// sealed under a key derived from SECRET_KEY (crypto/secret_box.hpp).
struct Repositories {
  // Alerts ended by a change (rule paused or deleted, server deleted) are
  // routed as the configuration says (app/alert_engine.hpp routing_defaults).
  Repositories(storage::Database& db, const config::Config& config);
  storage::UserRepository users;
  storage::ServerRepository servers;
  storage::AlertRuleRepository rules;
  storage::AlertEventRepository events;
  storage::SilenceRepository silences;
  storage::ApiTokenRepository api_tokens;
  storage::AuditRepository audit;
  crypto::SecretBox channel_secrets;
  storage::ChannelRepository channels;
  storage::OutboxRepository outbox;
};

// Who calls: JWTs, API tokens, login throttling. With REDIS_URL, login
// failures are counted in Redis (every API process sees them) and summaries
// are cached there too; the in-process limiters stand in while Redis is
// unreachable.
struct Authentication {
  Authentication(const config::Config& config, Repositories& repos, core::BlockingPool& blocking);
  auth::JwtCodec jwt;
  auth::RateLimiter per_address;
  auth::RateLimiter per_account;
  std::unique_ptr<redis::Client> redis_state;
  std::unique_ptr<auth::FailureLimiter> shared_per_address;
  std::unique_ptr<auth::FailureLimiter> shared_per_account;
  std::unique_ptr<core::SharedCache> shared_snapshots;  // summaries shared between processes (REDIS_URL)
  auth::AuthService service;
};

// Prometheus for the API and the live streams: a plain http:// Prometheus
// through Beast keep-alive connections, https:// through libcurl.
struct PrometheusAccess {
  PrometheusAccess(boost::asio::io_context& io, const config::Config& config, observability::MetricsRegistry& registry,
                   core::SharedCache* shared_snapshots);
  http_client::HttpClient http;  // also Telegram and webhooks
  std::unique_ptr<http_client::KeepAliveClient> keep_alive;
  http_client::Transport& transport;
  prometheus::Client client;
  prometheus::ServerMetrics server_metrics;
  prometheus::FleetMetrics fleet_metrics;
};

// The WebSockets: live metrics (per server and for the fleet), live alert events (through Redis when
// configured, so that every API process gets every event), and the
// re-check of each open session's right.
struct LiveStreams {
  LiveStreams(boost::asio::io_context& io, const config::Config& config, bool serves_api,
              core::BlockingPool& blocking, Repositories& repos, Authentication& authn, PrometheusAccess& prom,
              observability::MetricsRegistry& registry);
  // What the alert engine calls with the events it recorded.
  EventListener event_listener(core::BlockingPool& blocking);
  void shutdown();

  ws::MetricsHub hub;
  ws::FleetHub fleet_hub;
  ws::EventsHub events_hub;
  std::unique_ptr<redis::EventChannel> redis_events;
  ws::SessionRights session_rights;
  ws::WebSocketHandler websocket;
};

// Roles "all" and "worker" evaluate rules and deliver notifications. The
// evaluations run on an event loop of their own, run by one thread
// (AlertEngine says why), with their own keep-alive connections to a plain
// http:// Prometheus, within the same per-process query limit.
struct EvaluationLoop {
  EvaluationLoop(boost::asio::io_context& io, const config::Config& config, bool runs_engine, storage::Database& db,
                 Repositories& repos, core::BlockingPool& blocking, PrometheusAccess& prom,
                 observability::MetricsRegistry& registry, EventListener on_events);

  boost::asio::io_context io{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  std::unique_ptr<http_client::KeepAliveClient> keep_alive;
  std::optional<prometheus::Client> prometheus;
  std::optional<AlertEngine> engine;
};

// A plain http:// Prometheus is queried through Beast keep-alive
// connections: the alert engine sends thousands of small queries a round,
// and libcurl's per-transfer cost was a third of its CPU (bench/alerts).
// Null for https:// (TLS, certificates), which stays with libcurl.
std::unique_ptr<http_client::KeepAliveClient> keep_alive_to_prometheus(boost::asio::any_io_executor executor,
                                                                       const config::Config& config);

}  // namespace sentinel::app
