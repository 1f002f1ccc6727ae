#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/alert_rule.hpp"
#include "domain/audit.hpp"
#include "storage/database.hpp"
#include "storage/notification_routes.hpp"

namespace soci {
class session;
}

namespace sentinel::storage {

// What an import did (or, in a dry run, would do) with one rule of the file.
enum class ImportAction { created, updated, unchanged };
struct ImportedRuleResult {
  ImportAction action = ImportAction::created;
  domain::AlertRule rule;  // as stored (in a dry run: id 0 for a created one)
};

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

  // Writes a rule file's rules (each with its rule_group set) in ONE
  // transaction: the k-th rule named N in group G updates the k-th stored
  // rule with that group and name (by id), through `merge` (the stored rule,
  // the file's version → the rule to store); the others are created. A rule
  // whose merge changes nothing is left untouched (importing a file twice
  // changes nothing). `dry_run` rolls the transaction back. Fails (nothing
  // written) when a rule names a channel that does not exist.
  using ImportMerge = std::function<domain::AlertRule(const domain::AlertRule& stored, const domain::AlertRule& file)>;
  using SameDefinition = std::function<bool(const domain::AlertRule&, const domain::AlertRule&)>;
  core::Result<std::vector<ImportedRuleResult>> import_rules(const std::vector<domain::AlertRuleCreate>& rules,
                                                             const ImportMerge& merge, const SameDefinition& same,
                                                             bool dry_run, const domain::AuditActor& actor);

 private:
  domain::AlertRule insert_rule(soci::session& sql, const domain::AlertRule& r, const domain::AuditActor& actor,
                                core::Timestamp at);
  domain::AlertRule update_rule(soci::session& sql, const domain::AlertRule& before, const domain::AlertRule& r,
                                const domain::AuditActor& actor, core::Timestamp at);

  Database& db_;
  core::Clock clock_;
  RoutingDefaults routing_;
};

}  // namespace sentinel::storage
