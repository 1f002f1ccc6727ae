#pragma once
// Alert rule definitions by id and config_version, kept between claims
// (internal to storage/alert_engine_store). A rule's definition (its PromQL,
// threshold, channel...) changes only through an API edit, which bumps
// config_version; its state columns change on every evaluation. So a claim
// reads the few columns that change and takes the definition from here,
// re-reading the row only for a rule it has not seen at that version. With
// thousands of rules due each interval, reading and converting every column
// of every claimed rule was an eighth of the alert engine's CPU
// (bench/alerts).
//
// Ids are never reused (AUTOINCREMENT on SQLite, a sequence on PostgreSQL),
// so (id, config_version) names one definition for good. Definitions not
// claimed for `max_idle_sec` (deleted or paused rules) are dropped by a sweep
// every `sweep_every_sec`. Thread-safe: claims run on database pool threads.
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "domain/alert_rule.hpp"

namespace sentinel::storage {

class RuleDefinitionCache {
 public:
  struct Options {
    std::int64_t max_idle_sec = 6 * 3600;
    std::int64_t sweep_every_sec = 600;
  };
  RuleDefinitionCache() : RuleDefinitionCache(Options{}) {}
  explicit RuleDefinitionCache(Options options) : options_(options) {}

  // The definition of rule `id` at `version`, or null when not kept (never
  // seen, edited since, or swept). `now` (unix seconds) marks it used.
  std::shared_ptr<const domain::AlertRule> find(std::int64_t id, std::int64_t version, std::int64_t now);

  // Keeps `rule` as rule `id`'s definition at `version`, replacing an older one.
  void put(std::int64_t id, std::int64_t version, std::shared_ptr<const domain::AlertRule> rule, std::int64_t now);

  std::size_t size() const;

 private:
  struct Entry {
    std::int64_t version = 0;
    std::shared_ptr<const domain::AlertRule> rule;
    std::int64_t last_used = 0;
  };
  void sweep_locked(std::int64_t now);

  Options options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::int64_t, Entry> entries_;
  std::int64_t next_sweep_ = 0;
};

}  // namespace sentinel::storage
