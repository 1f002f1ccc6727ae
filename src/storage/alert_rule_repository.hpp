#pragma once
#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/alert_rule.hpp"
#include "domain/audit.hpp"
#include "storage/database.hpp"
#include "storage/notification_routes.hpp"

namespace sentinel::storage {

class AlertRuleRepository {
 public:
  // `routing`: where the resolutions of alerts this repository ends go
  // (notification_routes.hpp); the default configures no environment channel.
  AlertRuleRepository(Database& db, core::Clock clock, RoutingDefaults routing = {})
      : db_(db), clock_(std::move(clock)), routing_(routing) {}

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
  RoutingDefaults routing_;
};

}  // namespace sentinel::storage
