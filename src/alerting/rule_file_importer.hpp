#pragma once
// Importing a Prometheus or vmalert rule file (product.md §10), shared by
// `POST /api/v1/alerts/rules/import` and `sentinel rules import`:
//   1. the file is read and each rule mapped (prometheus/rule_file_import.hpp);
//   2. each mapped rule is validated as the API validates a rule, and its
//      PromQL is sent to Prometheus — all of them, before anything is written;
//   3. the rules are written in ONE transaction, matched to stored rules by
//      group and alert name (AlertRuleRepository::import_rules): an import is
//      all or nothing unless `partial`, and importing a file twice changes
//      nothing.
// Settings a rule file does not have (channels, repeat interval, paused,
// no-data state, hysteresis) are kept from the stored rule on a re-import.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "domain/alert_rule.hpp"
#include "domain/audit.hpp"

namespace sentinel::core {
class BlockingPool;
}
namespace sentinel::prometheus {
class Client;
}
namespace sentinel::storage {
class AlertRuleRepository;
}

namespace sentinel::alerting {

struct RuleImportOptions {
  bool dry_run = false;  // report what would be done, write nothing
  bool partial = false;  // import the rules that can be, report the others
};

// What happened to one rule of the file.
//   created, updated, unchanged  (in a dry run: what would happen)
//   skipped                      recording rules: Sentinel evaluates alerting rules only
//   failed                       could not be mapped, is invalid, or Prometheus rejected its PromQL
struct RuleImportEntry {
  std::string group;
  std::string name;
  int line = 0;
  std::string action;
  std::optional<std::int64_t> rule_id;  // the stored rule (not for a rule a dry run would create)
  std::string reason;                   // skipped / failed: why
  std::vector<std::string> notes;       // what the mapping did that one may not expect
  std::vector<std::string> loc;         // failed: where in the file, e.g. groups/0/rules/3/for
  std::optional<domain::AlertRule> rule;  // the rule as stored (or as it would be)
};

struct RuleImportReport {
  bool dry_run = false;
  bool partial = false;
  // False when nothing was written: a dry run, or failed rules without `partial`.
  bool written = false;
  std::vector<RuleImportEntry> rules;
  std::size_t count(std::string_view action) const;
};

// Fails with a 422 (positions in the file) when the file itself cannot be
// read as a rule file, and with a 503 when Prometheus cannot be asked to
// validate the PromQL (nothing is written then). Failed rules are not an
// error: the report lists them, and without `partial` nothing was written.
boost::asio::awaitable<core::Result<RuleImportReport>> import_rule_file(
    prometheus::Client& prometheus, core::BlockingPool& blocking, storage::AlertRuleRepository& rules,
    std::string yaml, RuleImportOptions options, domain::AuditActor actor);

// The rules of a report that failed, as the detail of a 422: loc ["body",
// "groups", i, "rules", j, field…], msg "group G, rule N (line L): reason".
std::vector<core::FieldError> failed_rules_detail(const RuleImportReport& report);

}  // namespace sentinel::alerting
