#pragma once
#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/alert_rule.hpp"
#include "domain/audit.hpp"
#include "storage/database.hpp"

namespace sentinel::storage {

class AlertRuleRepository {
 public:
  AlertRuleRepository(Database& db, core::Clock clock) : db_(db), clock_(std::move(clock)) {}

  core::Result<domain::AlertRule> create(const domain::AlertRuleCreate& in, const domain::AuditActor& actor);
  core::Result<domain::AlertRule> get(std::int64_t id);  // not_found "Alert rule not found"
  std::vector<domain::AlertRule> list(const domain::AlertRuleFilter& f);  // by id
  // Stores every user-editable field of `rule` (as merged by the caller)
  // and bumps updated_at; read-only engine fields are left untouched.
  core::Result<domain::AlertRule> update(const domain::AlertRule& rule, const domain::AuditActor& actor);
  core::Result<void> remove(std::int64_t id, const domain::AuditActor& actor);

 private:
  Database& db_;
  core::Clock clock_;
};

}  // namespace sentinel::storage
