#include "app/app.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <optional>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "api/routes.hpp"
#include "api/services.hpp"
#include "app/alert_engine.hpp"
#include "app/bootstrap.hpp"
#include "app/database_gauges.hpp"
#include "app/self_monitoring.hpp"
#include "auth/auth_service.hpp"
#include "auth/hash_pool.hpp"
#include "auth/jwt.hpp"
#include "auth/password.hpp"
#include "auth/rate_limiter.hpp"
#include "core/blocking.hpp"
#include "http/request_dispatcher.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/websocket_upgrade.hpp"
#include "http_client/http_client.hpp"
#include "http_client/keep_alive_client.hpp"
#include "app/instrumentation.hpp"
#include "observability/metrics_registry.hpp"
#include "redis/client.hpp"
#include "redis/event_channel.hpp"
#include "redis/shared_cache.hpp"
#include "redis/shared_rate_limiter.hpp"
#include "ws/events_hub.hpp"
#include "ws/metrics_hub.hpp"
#include "ws/session_rights.hpp"
#include "ws/websocket_handler.hpp"
#include "prometheus/client.hpp"
#include "prometheus/server_metrics.hpp"
#include "storage/alert_event_repository.hpp"
#include "storage/alert_rule_repository.hpp"
#include "storage/server_repository.hpp"
#include "storage/silence_repository.hpp"
#include "storage/api_token_repository.hpp"
#include "storage/audit_repository.hpp"
#include "storage/user_repository.hpp"

namespace sentinel::app {

namespace asio = boost::asio;

namespace {

constexpr auto drain_timeout = std::chrono::seconds(10);

// A plain http:// Prometheus is queried through Beast keep-alive
// connections: the alert engine sends thousands of small queries a round,
// and libcurl's per-transfer cost was a third of its CPU (bench/alerts).
// Null for https:// (TLS, certificates), which stays with libcurl.
std::unique_ptr<http_client::KeepAliveClient> keep_alive_to_prometheus(asio::any_io_executor executor,
                                                                       const config::Config& config) {
  auto origin = http_client::plain_http_origin(config.prometheus_url);
  if (!origin) return nullptr;
  return std::make_unique<http_client::KeepAliveClient>(std::move(executor), std::move(*origin),
                                                        static_cast<std::size_t>(config.prometheus_max_concurrency) + 4);
}

// Every connection is a file descriptor: MAX_CONNECTIONS of them, plus the
// database pool, Prometheus and notification connections, logs and
// listeners. Raises the soft open-file limit as far as that (the hard limit
// permits), and says so when it falls short: connections past it would fail
// in accept() instead of being refused by the caps.
void raise_open_file_limit(std::int64_t max_connections) {
  constexpr rlim_t headroom = 1024;
  const rlim_t wanted = static_cast<rlim_t>(max_connections) + headroom;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::warn("cannot read the open-file limit (RLIMIT_NOFILE); MAX_CONNECTIONS may not be reachable");
    return;
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    rlimit raised = limit;
    raised.rlim_cur = (limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= wanted) ? wanted : limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted)
    spdlog::warn("open-file limit is {} (hard limit {}), below MAX_CONNECTIONS {} + {} headroom: raise the hard "
                 "limit (ulimit -Hn, systemd LimitNOFILE=, docker --ulimit nofile=) or lower MAX_CONNECTIONS",
                 static_cast<std::uint64_t>(limit.rlim_cur), static_cast<std::uint64_t>(limit.rlim_max),
                 max_connections, static_cast<std::uint64_t>(headroom));
}

const char* role_name(Role r) {
  switch (r) {
    case Role::all: return "all";
    case Role::api: return "api";
    case Role::worker: return "worker";
  }
  return "all";
}

// Waits for in-flight requests and WebSocket closes (1001) after stop(), at
// most drain_timeout, then stops the event loop.
asio::awaitable<void> drain_then_stop(asio::io_context& io, http::HttpServer& server, ws::MetricsHub& hub,
                                      ws::EventsHub& events_hub, const AlertEngine* engine,
                                      std::vector<http_client::Transport*> transports, asio::io_context& evaluation_io) {
  // The alert engine was stopped first: no new evaluations or deliveries;
  // those under way finish and record their outcome.
  asio::steady_timer timer(io);
  const auto deadline = std::chrono::steady_clock::now() + drain_timeout;
  auto busy = [&] {
    return server.open_connections() > 0 || hub.sessions() > 0 || events_hub.sessions() > 0 ||
           (engine && engine->busy() > 0);
  };
  while (busy() && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (server.open_connections() > 0)
    spdlog::warn("shutdown: {} connection(s) still open after {}s, closing", server.open_connections(),
                 drain_timeout.count());
  // Outbound requests still running (pollers) end now, and get a moment to
  // unwind on the loop, so no coroutine outlives what it refers to.
  for (auto* transport : transports) transport->shutdown();
  timer.expires_after(std::chrono::milliseconds(50));
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  evaluation_io.stop();
  io.stop();
}

}  // namespace

int serve(config::Config config, Role role) {
  const auto started = std::chrono::steady_clock::now();
  raise_open_file_limit(config.max_connections);
  auto db = open_database(config, 30);
  bootstrap_first_superuser(config, *db);

  const auto io_threads = std::max(1u, std::thread::hardware_concurrency());
  // SQLite work is CPU-bound in-process: more threads than cores only adds
  // context switches. PostgreSQL work waits on the network: allow more.
  core::BlockingPool blocking(config.database_url.starts_with("sqlite") ? std::max(2u, io_threads)
                                                                          : std::max(8u, io_threads * 4));

  // Password hashing (Argon2id) on its own threads and a short queue: a
  // login flood is answered 429 and never holds the blocking pool.
  const auto hash_threads = static_cast<std::size_t>(config.login_hash_concurrency);
  auth::HashPool hashing(hash_threads, 2 * hash_threads);

  storage::UserRepository users(*db, core::system_now);
  storage::ServerRepository servers(*db, core::system_now);
  storage::AlertRuleRepository rules(*db, core::system_now);
  storage::AlertEventRepository events(*db, core::system_now);
  storage::SilenceRepository silences(*db, core::system_now);
  storage::ApiTokenRepository api_tokens(*db, core::system_now);
  storage::AuditRepository audit(*db, core::system_now);
  auth::JwtCodec jwt(config.secret_key, std::chrono::minutes(config.access_token_expire_minutes), core::system_now);
  auth::RateLimiter per_address(auth::login_failures_per_address, auth::login_failure_window, core::system_now);
  auth::RateLimiter per_account(auth::login_failures_per_account, auth::login_failure_window, core::system_now);
  // With REDIS_URL, login failures are counted in Redis (every API process
  // sees them) and summaries are cached there too; the in-process limiters
  // stand in while Redis is unreachable.
  std::unique_ptr<redis::Client> redis_state;
  std::unique_ptr<auth::FailureLimiter> shared_per_address, shared_per_account;
  std::unique_ptr<core::SharedCache> shared_snapshots;
  if (config.redis_url) {
    redis_state = std::make_unique<redis::Client>(
        redis::parse_redis_url(*config.redis_url),
        redis::ClientOptions{.degraded = "login rate limits are per process and metric snapshots are not shared"});
    shared_per_address = std::make_unique<redis::SharedRateLimiter>(*redis_state, per_address, core::system_now);
    shared_per_account = std::make_unique<redis::SharedRateLimiter>(*redis_state, per_account, core::system_now);
    shared_snapshots = std::make_unique<redis::SharedCache>(*redis_state, blocking);
  }
  auth::AuthService auth_service(users, api_tokens, jwt, shared_per_address ? *shared_per_address : per_address,
                                 shared_per_account ? *shared_per_account : per_account);

  observability::MetricsRegistry registry;
  asio::io_context io(static_cast<int>(io_threads));
  http_client::HttpClient http_client(io.get_executor());
  const auto prometheus_keep_alive = keep_alive_to_prometheus(io.get_executor(), config);
  http_client::Transport& prometheus_http =
      prometheus_keep_alive ? static_cast<http_client::Transport&>(*prometheus_keep_alive) : http_client;
  prometheus::Client prometheus_client(
      prometheus_http,
      prometheus::ClientOptions{.base_url = config.prometheus_url,
                                .timeout = std::chrono::seconds(config.prometheus_timeout_sec),
                                .max_concurrency = static_cast<std::size_t>(config.prometheus_max_concurrency),
                                .username = config.prometheus_username,
                                .password = config.prometheus_password,
                                .bearer_token = config.prometheus_bearer_token},
      prometheus_query_observer(registry));
  prometheus::ServerMetrics server_metrics(prometheus_client, std::chrono::seconds(config.metrics_cache_ttl_sec),
                                           shared_snapshots.get());

  api::Services services{blocking,   config,       *db,   users,        servers,           rules,
                         events,     silences,     api_tokens, audit,   auth_service,      prometheus_client,
                         server_metrics, registry};
  services.hashing = &hashing;
  http::Router router;
  // A worker serves liveness and /metrics only (its rule evaluations,
  // notifications and their Prometheus queries are counted there).
  api::register_routes(router, services, role == Role::worker);
  http::RequestDispatcher dispatcher(router, http::DispatchOptions{config.cors_origins}, http_request_observer(registry));
  ws::MetricsHub hub(io.get_executor(), blocking, servers, server_metrics,
                     std::chrono::seconds(config.ws_metrics_interval_sec), registry);
  // Alert events for /ws/events: straight to this process's subscribers, or
  // through Redis (REDIS_URL) so that every API process gets every event.
  ws::EventsHub events_hub;
  std::unique_ptr<redis::EventChannel> redis_events;
  if (config.redis_url) {
    redis_events = std::make_unique<redis::EventChannel>(redis::parse_redis_url(*config.redis_url),
                                                         "sentinel:alert_events");
    if (role != Role::worker) redis_events->subscribe([&events_hub](const std::string& frame) { events_hub.publish(frame); });
    services.redis_ping = [channel = redis_events.get()] { return channel->ping(); };
  }
  EventListener on_events = [&events_hub, &redis_events, &blocking](const std::vector<storage::RecordedEvent>& recorded) {
    for (const auto& r : recorded) {
      std::string frame = ws::EventsHub::frame_for(r.event);
      if (redis_events)  // blocking I/O: off the event loop
        asio::post(blocking.pool(), [&redis_events, frame = std::move(frame)] { redis_events->publish(frame); });
      else
        events_hub.publish(std::move(frame));
    }
  };
  // Open WebSockets are checked again every 2 s: a revoked or expired
  // credential (or a deactivated, deleted user) is closed within 5 s.
  ws::SessionRights session_rights(io.get_executor(), blocking, auth_service, std::chrono::seconds(2),
                                   static_cast<std::size_t>(config.ws_max_per_user));
  ws::WebSocketHandler websocket(
      blocking, auth_service, servers, hub, events_hub, session_rights,
      ws::WebSocketOptions{std::chrono::seconds(config.ws_ping_interval_sec), api::websocket_role});
  // Every role serves /metrics (worker: with the liveness route only).
  register_self_monitoring(registry, role_name(role), *db, events_hub);
  DatabaseGauges database_gauges(*db, blocking, registry);
  services.refresh_self_metrics = [&database_gauges] { return database_gauges.refresh_if_stale(); };

  // Roles "all" and "worker" evaluate rules and deliver notifications. The
  // evaluations run on an event loop of their own, run by one thread
  // (AlertEngine says why), with their own keep-alive connections to a plain
  // http:// Prometheus, within the same per-process query limit.
  asio::io_context evaluation_io(1);
  auto evaluation_work = asio::make_work_guard(evaluation_io);
  std::unique_ptr<http_client::KeepAliveClient> evaluation_keep_alive;
  std::optional<prometheus::Client> evaluation_prometheus;
  std::optional<AlertEngine> engine;
  if (role != Role::api) {
    evaluation_keep_alive = keep_alive_to_prometheus(evaluation_io.get_executor(), config);
    evaluation_prometheus.emplace(prometheus_client, evaluation_keep_alive
                                                         ? static_cast<http_client::Transport&>(*evaluation_keep_alive)
                                                         : prometheus_http);
    engine.emplace(io.get_executor(), evaluation_io.get_executor(), config, *db, events, blocking,
                   *evaluation_prometheus, http_client, registry, on_events);
  }

  http::HttpServer server(
      io, dispatcher,
      http::ServerOptions{.host = config.host,
                          .port = config.port,
                          .max_connections = static_cast<std::size_t>(config.max_connections),
                          .max_connections_per_client = static_cast<std::size_t>(config.max_connections_per_client),
                          .trusted_proxies = config.trusted_proxies,
                          .on_connection_limited = connection_limit_observer(registry)});
  register_connection_gauges(registry, server);
  if (role != Role::worker)
    server.set_websocket_handler([&websocket](http::WebSocketUpgrade upgrade) { return websocket.handle(std::move(upgrade)); });
  try {
    server.start();
    if (role != Role::worker) session_rights.start();
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen on {}:{}: {}", config.host, config.port, e.what());
    return 1;
  }

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", sig);
    if (engine) engine->stop();
    server.stop();
    hub.shutdown();
    events_hub.shutdown();
    session_rights.stop();
    std::vector<http_client::Transport*> transports{&http_client, &prometheus_http};
    if (evaluation_keep_alive) transports.push_back(evaluation_keep_alive.get());
    asio::co_spawn(io,
                   drain_then_stop(io, server, hub, events_hub, engine ? &*engine : nullptr, std::move(transports),
                                   evaluation_io),
                   asio::detached);
  });

  std::thread evaluation_thread;
  if (engine) {
    evaluation_thread = std::thread([&evaluation_io] { evaluation_io.run(); });
    engine->start();
  }

  const auto ready_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("sentinel {} listening on http://{}:{} (role {}, database {}, ready in {} ms)", SENTINEL_VERSION,
               config.host, server.port(), role_name(role), db->dialect() == storage::Dialect::sqlite ? "sqlite" : "postgresql",
               ready_ms);
  if (config.secret_key_generated)
    spdlog::warn("SECRET_KEY is not set: using the generated key in {}/secret.key", config::data_dir(config).string());

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < io_threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  if (evaluation_thread.joinable()) evaluation_thread.join();
  blocking.join();
  hashing.join();
  if (redis_events) redis_events->stop();
  spdlog::info("sentinel stopped");
  return 0;
}

int migrate(const config::Config& config) {
  auto db = open_database(config, 30);
  std::cout << "database is at the latest schema\n";
  return 0;
}

namespace {

int report(const core::Error& e) {
  std::cerr << "error: " << e.detail << "\n";
  return 1;
}

}  // namespace

int user_create(const config::Config& config, const std::string& email, const std::string& password,
                domain::Role role) {
  if (auto why = auth::password_policy_error(password); !why.empty()) {
    std::cerr << "error: password: " << why << "\n";
    return 2;
  }
  auto db = open_database(config, 5);
  storage::UserRepository users(*db, core::system_now);
  auto created = users.create(email, auth::hash_password(password), true, role, domain::AuditActor::cli());
  if (!created) return report(created.error());
  std::cout << "created user " << created->id << " " << created->email << " (" << domain::to_string(role) << ")\n";
  return 0;
}

int user_list(const config::Config& config) {
  auto db = open_database(config, 5);
  storage::UserRepository users(*db, core::system_now);
  std::cout << "id\temail\tactive\trole\tcreated_at\n";
  for (std::int64_t skip = 0;; skip += 1000) {
    auto page = users.list(skip, 1000);
    for (const auto& u : page)
      std::cout << u.id << "\t" << u.email << "\t" << (u.is_active ? "yes" : "no") << "\t"
                << domain::to_string(u.role) << "\t" << core::format_iso8601(u.created_at) << "\n";
    if (page.size() < 1000) break;
  }
  return 0;
}

int user_set_password(const config::Config& config, const std::string& email, const std::string& password) {
  if (auto why = auth::password_policy_error(password); !why.empty()) {
    std::cerr << "error: password: " << why << "\n";
    return 2;
  }
  auto db = open_database(config, 5);
  storage::UserRepository users(*db, core::system_now);
  auto user = users.find_by_email(email);
  if (!user) return report(core::Error::not_found("no user with email " + email));
  storage::UserChanges changes;
  changes.password_hash = auth::hash_password(password);
  auto updated = users.update(user->id, changes, domain::AuditActor::cli());
  if (!updated) return report(updated.error());
  std::cout << "password changed for " << updated->email << "; existing tokens are revoked\n";
  return 0;
}

int user_deactivate(const config::Config& config, const std::string& email) {
  auto db = open_database(config, 5);
  storage::UserRepository users(*db, core::system_now);
  auto user = users.find_by_email(email);
  if (!user) return report(core::Error::not_found("no user with email " + email));
  storage::UserChanges changes;
  changes.is_active = false;
  auto updated = users.update(user->id, changes, domain::AuditActor::cli());
  if (!updated) return report(updated.error());
  std::cout << "deactivated " << updated->email << "; existing tokens are revoked\n";
  return 0;
}

std::string route_table_json() {
  boost::json::array rows;
  for (const auto& row : api::route_table())
    rows.push_back(boost::json::object{{"method", row.method},
                                       {"path", row.path},
                                       {"role", api::to_string(row.access)},
                                       {"transport", row.transport == api::Transport::websocket ? "websocket" : "http"}});
  return boost::json::serialize(rows);
}

}  // namespace sentinel::app
