#pragma once
// The audit log (product.md §7). Changes write their entry with
// record_audit() inside their own transaction, so a change that fails
// leaves no entry and an entry never describes a change that did not happen.
#include <string>
#include <vector>

#include "core/time.hpp"
#include "domain/audit.hpp"
#include "storage/database.hpp"

namespace soci {
class session;
}

namespace sentinel::storage {

// Inserts one entry on `sql` (inside the caller's transaction). `at` is
// the change's time.
void record_audit(soci::session& sql, const domain::AuditActor& actor, std::string_view action,
                  std::string_view target_type, std::optional<std::string> target_id,
                  const boost::json::object& changes, core::Timestamp at);

class AuditRepository {
 public:
  AuditRepository(Database& db, core::Clock clock) : db_(db), clock_(std::move(clock)) {}

  // An entry for something that is not a stored change (a login, a failed
  // login), in its own transaction.
  void record(const domain::AuditActor& actor, std::string_view action, std::string_view target_type,
              std::optional<std::string> target_id, const boost::json::object& changes = {});

  // Newest first.
  std::vector<domain::AuditEntry> list(const domain::AuditFilter& filter);

 private:
  Database& db_;
  core::Clock clock_;
};

}  // namespace sentinel::storage
