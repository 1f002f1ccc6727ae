// /openapi.json must describe exactly the routes the server has: every route
// in the table is documented with its method, and nothing undocumented or
// stale is listed.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <set>

#include "api/routes.hpp"
#include "api/services.hpp"
#include "auth/auth_service.hpp"
#include "auth/jwt.hpp"
#include "auth/rate_limiter.hpp"
#include "config/config.hpp"
#include "core/blocking.hpp"
#include "core/embedded_file.hpp"
#include "http/router.hpp"
#include "http_client/http_client.hpp"
#include "observability/metrics_registry.hpp"
#include "prometheus/client.hpp"
#include "prometheus/fleet_metrics.hpp"
#include "prometheus/server_metrics.hpp"
#include "storage/alert_event_repository.hpp"
#include "storage/api_token_repository.hpp"
#include "storage/audit_repository.hpp"
#include "storage/channel_repository.hpp"
#include "storage/outbox_repository.hpp"
#include "storage/alert_rule_repository.hpp"
#include "storage/server_repository.hpp"
#include "storage/silence_repository.hpp"
#include "storage/user_repository.hpp"

namespace sentinel::api::docs {
std::span<const core::EmbeddedFile> embedded_files();
}

using namespace sentinel;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "/api/v1/servers/" and "/api/v1/servers" are one route: compare without
// the trailing slash, and with parameter names as written.
std::string normalize(std::string p) {
  if (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

}  // namespace

TEST(OpenApi, DocumentsExactlyTheRoutesTheServerHas) {
  auto db = storage::Database::open("sqlite:///:memory:", 1);
  core::BlockingPool blocking(1);
  config::Config config;
  storage::UserRepository users(*db, core::system_now);
  storage::ServerRepository servers(*db, core::system_now);
  storage::AlertRuleRepository rules(*db, core::system_now);
  storage::AlertEventRepository events(*db, core::system_now);
  storage::SilenceRepository silences(*db, core::system_now);
  auth::JwtCodec jwt(std::string(40, 'k'), std::chrono::minutes(1), core::system_now);
  auth::RateLimiter limiter(5, std::chrono::seconds(60), core::system_now);
  storage::ApiTokenRepository api_tokens(*db, core::system_now);
  storage::AuditRepository audit(*db, core::system_now);
  auth::AuthService auth_service(users, api_tokens, jwt, limiter, limiter);
  // Only the route table is read: nothing here talks to Prometheus.
  boost::asio::io_context io;
  http_client::HttpClient http(io.get_executor());
  prometheus::Client prometheus_client(http, prometheus::ClientOptions{});
  prometheus::ServerMetrics server_metrics(prometheus_client, std::chrono::milliseconds(0));
  prometheus::FleetMetrics fleet_metrics(prometheus_client);
  observability::MetricsRegistry registry;
  crypto::SecretBox channel_secrets(std::string(40, 'k'));
  storage::ChannelRepository channels(*db, channel_secrets, core::system_now);
  storage::OutboxRepository outbox(*db, core::system_now);
  api::Services services{blocking,   config,     *db,      users,  servers,      rules,
                         events,     silences,   api_tokens, audit, channels,     outbox,
                         auth_service, prometheus_client, server_metrics, fleet_metrics, registry};
  http::Router router;
  api::register_routes(router, services);

  auto text = core::find_embedded(api::docs::embedded_files(), "openapi/openapi.json");
  ASSERT_TRUE(text) << "openapi.json is not embedded";
  auto doc = boost::json::parse(*text).as_object();
  EXPECT_TRUE(std::string(doc.at("openapi").as_string()).starts_with("3.1"));

  std::set<std::string> documented;
  for (const auto& [path, item] : doc.at("paths").as_object())
    for (const auto& [method, op] : item.as_object())
      if (method != "parameters") documented.insert(lower(std::string(method)) + " " + normalize(std::string(path)));

  // WebSockets and the web console's pages are not API operations.
  std::set<std::string> served;
  std::set<std::string> not_api;
  for (const auto& row : api::route_table())
    if (row.transport != api::Transport::http) not_api.insert(normalize(std::string(row.path)));
  for (const auto& r : router.routes())
    if (!not_api.count(normalize(r.pattern))) served.insert(lower(r.method) + " " + normalize(r.pattern));

  for (const auto& s : served) EXPECT_TRUE(documented.count(s)) << "route not in openapi.json: " << s;
  for (const auto& d : documented) EXPECT_TRUE(served.count(d)) << "openapi.json lists a route that does not exist: " << d;
  blocking.join();
}

// The security each operation states is the route table's role: public
// routes have none, every other one names its role and answers 401 (and 403
// above viewer).
TEST(OpenApi, StatesEachRoutesRoleFromTheRouteTable) {
  auto text = core::find_embedded(api::docs::embedded_files(), "openapi/openapi.json");
  ASSERT_TRUE(text);
  const auto paths = boost::json::parse(*text).as_object().at("paths").as_object();
  std::size_t checked = 0;
  for (const auto& row : api::route_table()) {
    if (row.transport != api::Transport::http) continue;
    std::string path(row.path);
    const auto* item = paths.if_contains(path);
    if (!item && path.size() > 1 && path.back() == '/') item = paths.if_contains(path.substr(0, path.size() - 1));
    ASSERT_TRUE(item) << path;
    const auto* op = item->as_object().if_contains(lower(std::string(row.method)));
    ASSERT_TRUE(op) << row.method << " " << path;
    const auto& o = op->as_object();
    EXPECT_EQ(o.at("x-required-role").as_string(), api::to_string(row.access)) << row.method << " " << path;
    const bool secured = !o.at("security").as_array().empty();
    EXPECT_EQ(secured, row.access != api::Access::public_) << row.method << " " << path;
    if (secured) {
      EXPECT_TRUE(o.at("responses").as_object().contains("401")) << row.method << " " << path;
    }
    if (row.access == api::Access::editor || row.access == api::Access::admin) {
      EXPECT_TRUE(o.at("responses").as_object().contains("403")) << row.method << " " << path;
    }
    ++checked;
  }
  EXPECT_GT(checked, 35u);
}
