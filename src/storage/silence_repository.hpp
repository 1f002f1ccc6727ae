#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/audit.hpp"
#include "domain/silence.hpp"
#include "storage/database.hpp"

namespace sentinel::storage {

class SilenceRepository {
 public:
  SilenceRepository(Database& db, core::Clock clock) : db_(db), clock_(std::move(clock)) {}

  // starts_at defaults to now.
  core::Result<domain::Silence> create(const domain::SilenceCreate& in, const domain::AuditActor& actor);
  core::Result<domain::Silence> get(std::int64_t id);  // not_found "Silence not found"
  std::vector<domain::Silence> list(const domain::SilenceFilter& f);  // newest first
  core::Result<void> remove(std::int64_t id, const domain::AuditActor& actor);

 private:
  Database& db_;
  core::Clock clock_;
};

}  // namespace sentinel::storage
