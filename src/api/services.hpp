#pragma once
#include <boost/asio/awaitable.hpp>
#include <functional>
// What the handlers may use, built and owned by app/. Handlers are thin:
// parse → call a repository or service (on the blocking pool) → serialize.
#include <chrono>

namespace sentinel::core {
class BlockingPool;
}
namespace sentinel::config {
struct Config;
}
namespace sentinel::storage {
class Database;
class UserRepository;
class ServerRepository;
class AlertRuleRepository;
class AlertEventRepository;
class SilenceRepository;
}  // namespace sentinel::storage
namespace sentinel::auth {
class AuthService;
}
namespace sentinel::http {
class Router;
}
namespace sentinel::observability {
class MetricsRegistry;
}
namespace sentinel::prometheus {
class Client;
class ServerMetrics;
}  // namespace sentinel::prometheus

namespace sentinel::api {

struct Services {
  core::BlockingPool& blocking;
  const config::Config& config;
  storage::Database& database;
  storage::UserRepository& users;
  storage::ServerRepository& servers;
  storage::AlertRuleRepository& rules;
  storage::AlertEventRepository& events;
  storage::SilenceRepository& silences;
  auth::AuthService& auth;
  prometheus::Client& prometheus;
  prometheus::ServerMetrics& server_metrics;
  observability::MetricsRegistry& metrics_registry;
  // Set when REDIS_URL is: a blocking round trip to Redis, for readiness.
  std::function<bool()> redis_ping = {};
  // Set by app/: brings the database-backed gauges up to date before GET
  // /metrics renders (see app/database_gauges.hpp).
  std::function<boost::asio::awaitable<void>()> refresh_self_metrics = {};
};

// Every REST route of the API, in one table (see each *_routes.cpp).
void register_routes(http::Router& router, Services& services);

void register_auth_routes(http::Router& router, Services& services);
void register_user_routes(http::Router& router, Services& services);
void register_server_routes(http::Router& router, Services& services);
void register_alert_rule_routes(http::Router& router, Services& services);
void register_alert_event_routes(http::Router& router, Services& services);
void register_silence_routes(http::Router& router, Services& services);
void register_metrics_routes(http::Router& router, Services& services);
void register_self_metrics_routes(http::Router& router, Services& services);
void register_health_routes(http::Router& router, Services& services);
void register_docs_routes(http::Router& router);

}  // namespace sentinel::api
