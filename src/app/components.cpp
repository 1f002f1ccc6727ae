#include "app/components.hpp"

#include <boost/asio/post.hpp>

#include "api/routes.hpp"
#include "app/instrumentation.hpp"
#include "redis/shared_cache.hpp"
#include "redis/shared_rate_limiter.hpp"

namespace sentinel::app {

namespace asio = boost::asio;

std::unique_ptr<http_client::KeepAliveClient> keep_alive_to_prometheus(asio::any_io_executor executor,
                                                                       const config::Config& config) {
  auto origin = http_client::plain_http_origin(config.prometheus_url);
  if (!origin) return nullptr;
  return std::make_unique<http_client::KeepAliveClient>(std::move(executor), std::move(*origin),
                                                        static_cast<std::size_t>(config.prometheus_max_concurrency) + 4);
}

Repositories::Repositories(storage::Database& db, const config::Config& config)
    : users(db, core::system_now),
      servers(db, core::system_now, routing_defaults(config)),
      rules(db, core::system_now, routing_defaults(config)),
      events(db, core::system_now),
      silences(db, core::system_now),
      api_tokens(db, core::system_now),
      audit(db, core::system_now),
      channel_secrets(config.secret_key),
      channels(db, channel_secrets, core::system_now),
      outbox(db, core::system_now) {}

namespace {

std::unique_ptr<redis::Client> redis_client(const config::Config& config) {
  if (!config.redis_url) return nullptr;
  return std::make_unique<redis::Client>(
      redis::parse_redis_url(*config.redis_url),
      redis::ClientOptions{.degraded = "login rate limits are per process and metric snapshots are not shared"});
}

std::unique_ptr<auth::FailureLimiter> shared_limiter(redis::Client* redis, auth::RateLimiter& local) {
  if (!redis) return nullptr;
  return std::make_unique<redis::SharedRateLimiter>(*redis, local, core::system_now);
}

}  // namespace

Authentication::Authentication(const config::Config& config, Repositories& repos, core::BlockingPool& blocking)
    : jwt(config.secret_key, std::chrono::minutes(config.access_token_expire_minutes), core::system_now),
      per_address(auth::login_failures_per_address, auth::login_failure_window, core::system_now),
      per_account(auth::login_failures_per_account, auth::login_failure_window, core::system_now),
      redis_state(redis_client(config)),
      shared_per_address(shared_limiter(redis_state.get(), per_address)),
      shared_per_account(shared_limiter(redis_state.get(), per_account)),
      shared_snapshots(redis_state ? std::make_unique<redis::SharedCache>(*redis_state, blocking) : nullptr),
      service(repos.users, repos.api_tokens, jwt, shared_per_address ? *shared_per_address : per_address,
              shared_per_account ? *shared_per_account : per_account) {}

PrometheusAccess::PrometheusAccess(asio::io_context& io, const config::Config& config,
                                   observability::MetricsRegistry& registry, core::SharedCache* shared_snapshots)
    : http(io.get_executor()),
      keep_alive(keep_alive_to_prometheus(io.get_executor(), config)),
      transport(keep_alive ? static_cast<http_client::Transport&>(*keep_alive) : http),
      client(transport,
             prometheus::ClientOptions{.base_url = config.prometheus_url,
                                       .timeout = std::chrono::seconds(config.prometheus_timeout_sec),
                                       .max_concurrency = static_cast<std::size_t>(config.prometheus_max_concurrency),
                                       .username = config.prometheus_username,
                                       .password = config.prometheus_password,
                                       .bearer_token = config.prometheus_bearer_token},
             prometheus_query_observer(registry)),
      server_metrics(client, std::chrono::seconds(config.metrics_cache_ttl_sec), shared_snapshots),
      fleet_metrics(client, shared_snapshots) {}

LiveStreams::LiveStreams(asio::io_context& io, const config::Config& config, bool serves_api,
                         core::BlockingPool& blocking, Repositories& repos, Authentication& authn,
                         PrometheusAccess& prom, observability::MetricsRegistry& registry)
    : hub(io.get_executor(), blocking, repos.servers, prom.server_metrics,
          std::chrono::seconds(config.ws_metrics_interval_sec), registry),
      fleet_hub(io.get_executor(), blocking, repos.servers, prom.fleet_metrics,
                std::chrono::seconds(config.ws_metrics_interval_sec), registry),
      redis_events(config.redis_url ? std::make_unique<redis::EventChannel>(redis::parse_redis_url(*config.redis_url),
                                                                            "sentinel:alert_events")
                                    : nullptr),
      // Open WebSockets are checked again every 2 s: a revoked or expired
      // credential (or a deactivated, deleted user) is closed within 5 s.
      session_rights(io.get_executor(), blocking, authn.service, std::chrono::seconds(2),
                     static_cast<std::size_t>(config.ws_max_per_user)),
      websocket(blocking, authn.service, repos.servers, ws::Streams{hub, fleet_hub, events_hub}, session_rights,
                ws::WebSocketOptions{std::chrono::seconds(config.ws_ping_interval_sec), api::websocket_role}) {
  if (redis_events && serves_api)
    redis_events->subscribe([this](const std::string& frame) { events_hub.publish(frame); });
}

EventListener LiveStreams::event_listener(core::BlockingPool& blocking) {
  return [this, &blocking](const std::vector<storage::RecordedEvent>& recorded) {
    for (const auto& r : recorded) {
      std::string frame = ws::EventsHub::frame_for(r.event);
      if (redis_events)  // blocking I/O: off the event loop
        asio::post(blocking.pool(), [this, frame = std::move(frame)] { redis_events->publish(frame); });
      else
        events_hub.publish(std::move(frame));
    }
  };
}

void LiveStreams::shutdown() {
  hub.shutdown();
  fleet_hub.shutdown();
  events_hub.shutdown();
  session_rights.stop();
}

EvaluationLoop::EvaluationLoop(asio::io_context& api_io, const config::Config& config, bool runs_engine,
                               storage::Database& db, Repositories& repos, core::BlockingPool& blocking,
                               PrometheusAccess& prom, observability::MetricsRegistry& registry,
                               EventListener on_events)
    : work(asio::make_work_guard(io)) {
  if (!runs_engine) return;
  keep_alive = keep_alive_to_prometheus(io.get_executor(), config);
  prometheus.emplace(prom.client, keep_alive ? static_cast<http_client::Transport&>(*keep_alive) : prom.transport);
  engine.emplace(api_io.get_executor(), io.get_executor(), config, db, repos.channels, blocking, *prometheus, prom.http,
                 registry, std::move(on_events));
}

}  // namespace sentinel::app
