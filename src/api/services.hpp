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
class ApiTokenRepository;
class AuditRepository;
class ChannelRepository;
class OutboxRepository;
}  // namespace sentinel::storage
namespace sentinel::auth {
class AuthService;
class HashPool;
}
namespace sentinel::http_client {
class Transport;
}
namespace sentinel::observability {
class MetricsRegistry;
}
namespace sentinel::prometheus {
class Client;
class ServerMetrics;
class FleetMetrics;
}  // namespace sentinel::prometheus

namespace sentinel::discovery {
class DiscoveryService;
}

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
  storage::ApiTokenRepository& api_tokens;
  storage::AuditRepository& audit;
  storage::ChannelRepository& channels;
  storage::OutboxRepository& outbox;  // delivery records (read only here)
  auth::AuthService& auth;
  prometheus::Client& prometheus;
  prometheus::ServerMetrics& server_metrics;
  prometheus::FleetMetrics& fleet_metrics;
  observability::MetricsRegistry& metrics_registry;
  // Set when REDIS_URL is: a blocking round trip to Redis, for readiness.
  std::function<bool()> redis_ping = {};
  // Set by app/: brings the database-backed gauges up to date before GET
  // /metrics renders (see app/database_gauges.hpp).
  std::function<boost::asio::awaitable<void>()> refresh_self_metrics = {};
  // Set by app/: login's password hashing on its own bounded pool.
  auth::HashPool* hashing = nullptr;
  // Set by app/: the outbound HTTP client notifications use (a channel's
  // test message goes out as its alerts do).
  http_client::Transport* notify_http = nullptr;
  // Set by app/: POST /api/v1/servers/discover's service.
  discovery::DiscoveryService* discovery = nullptr;
};

}  // namespace sentinel::api
