#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/audit.hpp"
#include "domain/server.hpp"
#include "storage/database.hpp"

namespace sentinel::storage {

class ServerRepository {
 public:
  ServerRepository(Database& db, core::Clock clock) : db_(db), clock_(std::move(clock)) {}

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
};

}  // namespace sentinel::storage
