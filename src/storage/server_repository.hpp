#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/audit.hpp"
#include "domain/server.hpp"
#include "storage/database.hpp"
#include "storage/notification_routes.hpp"

namespace soci {
class session;
}

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

  // Discovery (product.md §10). Creates `in` unless a server with its
  // job_name and instance exists already, then answers that one with
  // `created` false. Concurrent discoveries (several workers, an API call
  // during a sync) never register one target twice: the check and the
  // insert run under a per-job advisory transaction lock on PostgreSQL, and
  // under SQLite's write lock. conflict on a duplicate name; audited as
  // server.create.
  struct CreateOutcome {
    domain::Server server;
    bool created = false;
  };
  core::Result<CreateOutcome> create_unless_registered(const domain::ServerCreate& in, const domain::AuditActor& actor);
  // Sets is_active to `active` when it is `!active` now (audited as
  // server.update); nullopt when the server is gone or already so (another
  // process got there first). Never fails otherwise.
  std::optional<domain::Server> set_active(std::int64_t id, bool active, const domain::AuditActor& actor);
  // Whether the latest audit entry of server `id` is a server.update made
  // via `via` (e.g. "discovery": the sync deactivated it and nobody touched
  // it since).
  bool last_changed_via(std::int64_t id, std::string_view via);

  // Deletes the server and its rules in one transaction; its alert events
  // stay as history (their server_id and rule_id are kept / nulled by FK).
  core::Result<void> remove(std::int64_t id, const domain::AuditActor& actor);

 private:
  // Inserts and audits a server inside the caller's transaction (409 on a taken name).
  core::Result<domain::Server> insert_server(soci::session& sql, const domain::ServerCreate& in,
                                             const domain::AuditActor& actor);

  Database& db_;
  core::Clock clock_;
  RoutingDefaults routing_;
};

}  // namespace sentinel::storage
