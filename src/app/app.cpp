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
#include "app/components.hpp"
#include "app/bootstrap.hpp"
#include "app/database_gauges.hpp"
#include "app/self_monitoring.hpp"
#include "auth/auth_service.hpp"
#include "auth/hash_pool.hpp"
#include "auth/jwt.hpp"
#include "auth/password.hpp"
#include "auth/rate_limiter.hpp"
#include "core/blocking.hpp"
#include "discovery/discovery_service.hpp"
#include "discovery/discovery_sync.hpp"
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

// The HTTP server with the connection limits, routing to `dispatcher` and
// upgrades to the WebSocket handler (roles that serve the API).
std::unique_ptr<http::HttpServer> make_http_server(asio::io_context& io, const config::Config& config,
                                                   const http::RequestDispatcher& dispatcher,
                                                   observability::MetricsRegistry& registry,
                                                   ws::WebSocketHandler* websocket) {
  auto server = std::make_unique<http::HttpServer>(
      io, dispatcher,
      http::ServerOptions{.host = config.host,
                          .port = config.port,
                          .max_connections = static_cast<std::size_t>(config.max_connections),
                          .max_connections_per_client = static_cast<std::size_t>(config.max_connections_per_client),
                          .trusted_proxies = config.trusted_proxies,
                          .on_connection_limited = connection_limit_observer(registry)});
  register_connection_gauges(registry, *server);
  if (websocket)
    server->set_websocket_handler([websocket](http::WebSocketUpgrade upgrade) { return websocket->handle(std::move(upgrade)); });
  return server;
}

std::vector<domain::DiscoverRequest> discovery_jobs(const config::Config& config) {
  std::vector<domain::DiscoverRequest> jobs;
  for (const auto& j : config.discovery_jobs) jobs.push_back(domain::DiscoverRequest{j.job, j.name_label, false});
  return jobs;
}

void log_ready(const config::Config& config, Role role, const storage::Database& db, std::uint16_t port,
               std::chrono::steady_clock::time_point started) {
  const auto ready_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("sentinel {} listening on http://{}:{} (role {}, database {}, ready in {} ms)", SENTINEL_VERSION,
               config.host, port, role_name(role), db.dialect() == storage::Dialect::sqlite ? "sqlite" : "postgresql",
               ready_ms);
  if (config.secret_key_generated)
    spdlog::warn("SECRET_KEY is not set: using the generated key in {}/secret.key", config::data_dir(config).string());
}

}  // namespace

int serve(config::Config config, Role role) {
  const auto started = std::chrono::steady_clock::now();
  const bool serves_api = role != Role::worker, runs_engine = role != Role::api;
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

  Repositories repos(*db, config);
  Authentication authn(config, repos, blocking);
  observability::MetricsRegistry registry;
  asio::io_context io(static_cast<int>(io_threads));
  PrometheusAccess prom(io, config, registry, authn.shared_snapshots.get());

  api::Services services{blocking,        config,          *db,          repos.users,    repos.servers,
                         repos.rules,     repos.events,    repos.silences, repos.api_tokens, repos.audit,
                         repos.channels,  repos.outbox,    authn.service,   prom.client,     prom.server_metrics, prom.fleet_metrics,
                         registry};
  services.hashing = &hashing;
  services.notify_http = &prom.http;
  discovery::DiscoveryService discovery(prom.client, repos.servers, blocking);
  services.discovery = &discovery;
  http::Router router;
  // A worker serves liveness and /metrics only (its rule evaluations,
  // notifications and their Prometheus queries are counted there).
  api::register_routes(router, services, !serves_api);
  http::RequestDispatcher dispatcher(router, http::DispatchOptions{config.cors_origins}, http_request_observer(registry));

  LiveStreams live(io, config, serves_api, blocking, repos, authn, prom, registry);
  if (live.redis_events) services.redis_ping = [channel = live.redis_events.get()] { return channel->ping(); };
  // Every role serves /metrics (worker: with the liveness route only).
  register_self_monitoring(registry, role_name(role), *db, live.events_hub);
  DatabaseGauges database_gauges(*db, blocking, registry);
  services.refresh_self_metrics = [&database_gauges] { return database_gauges.refresh_if_stale(); };

  EvaluationLoop evaluation(io, config, runs_engine, *db, repos, blocking, prom, registry,
                            live.event_listener(blocking));
  // DISCOVERY_JOBS: kept in step by the roles that run the alert engine.
  discovery::DiscoverySync discovery_sync(
      io.get_executor(), discovery, runs_engine ? discovery_jobs(config) : std::vector<domain::DiscoverRequest>{},
      std::chrono::seconds(config.discovery_interval_sec), registry);
  auto server = make_http_server(io, config, dispatcher, registry, serves_api ? &live.websocket : nullptr);
  try {
    server->start();
    if (serves_api) live.session_rights.start();
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen on {}:{}: {}", config.host, config.port, e.what());
    return 1;
  }

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", sig);
    if (evaluation.engine) evaluation.engine->stop();
    discovery_sync.stop();
    server->stop();
    live.shutdown();
    std::vector<http_client::Transport*> transports{&prom.http, &prom.transport};
    if (evaluation.keep_alive) transports.push_back(evaluation.keep_alive.get());
    asio::co_spawn(io,
                   drain_then_stop(io, *server, live.hub, live.events_hub,
                                   evaluation.engine ? &*evaluation.engine : nullptr, std::move(transports),
                                   evaluation.io),
                   asio::detached);
  });

  std::thread evaluation_thread;
  if (evaluation.engine) {
    evaluation_thread = std::thread([&evaluation] { evaluation.io.run(); });
    evaluation.engine->start();
  }
  discovery_sync.start();
  log_ready(config, role, *db, server->port(), started);

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < io_threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  if (evaluation_thread.joinable()) evaluation_thread.join();
  blocking.join();
  hashing.join();
  if (live.redis_events) live.redis_events->stop();
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
                                       {"transport", api::to_string(row.transport)}});
  return boost::json::serialize(rows);
}

}  // namespace sentinel::app
