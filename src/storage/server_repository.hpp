#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/audit.hpp"
#include "domain/server.hpp"
#include "storage/database.hpp"
#include "storage/notification_routes.hpp"

namespace sentinel::storage {

class ServerRepository {
 public:
  // `routing`: where the resolutions of alerts this repository ends go
  // (notification_routes.hpp); the default configures no environment channel.
  ServerRepository(Database& db, core::Clock clock, RoutingDefaults routing = {})
      : db_(db), clock_(std::move(clock)), routing_(routing) {}

  // conflict "Server with this name already exists" on a duplicate name.
  core::Result<domain::Server> create(const domain::ServerCreate& in, const domain::AuditActor& actor);
  core::Result<domain::Server> get(std::int64_t id);  // not_found "Server not found"
  bool exists(std::int64_t id);
  std::vector<domain::Server> list(const domain::ServerFilter& f);  // by id
  core::Result<domain::Server> update(std::int64_t id, const domain::ServerPatch& p, const domain::AuditActor& actor);
  // Deletes the server and its rules in one transaction; its alert events
  // stay as history (their server_id and rule_id are kept / nulled by FK).
  core::Result<void> remove(std::int64_t id, const domain::AuditActor& actor);

 private:
  Database& db_;
  core::Clock clock_;
  RoutingDefaults routing_;
};

}  // namespace sentinel::storage
