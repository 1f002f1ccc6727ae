#pragma once
#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/alert_event.hpp"
#include "domain/audit.hpp"
#include "storage/database.hpp"

namespace sentinel::storage {

class AlertEventRepository {
 public:
  AlertEventRepository(Database& db, core::Clock clock) : db_(db), clock_(std::move(clock)) {}

  // Used by the alert engine (and tests); fills id and created_at.
  domain::AlertEvent insert(domain::AlertEvent e);
  core::Result<domain::AlertEvent> get(std::int64_t id);  // not_found "Alert event not found"
  std::vector<domain::AlertEvent> list(const domain::AlertEventFilter& f);  // newest first
  // Idempotent: acknowledging twice keeps the first time and user.
  core::Result<domain::AlertEvent> acknowledge(std::int64_t id, const domain::AuditActor& actor);

 private:
  Database& db_;
  core::Clock clock_;
};

}  // namespace sentinel::storage
