#include "storage/rule_definition_cache.hpp"

#include <iterator>

namespace sentinel::storage {

std::shared_ptr<const domain::AlertRule> RuleDefinitionCache::find(std::int64_t id, std::int64_t version,
                                                                   std::int64_t now) {
  std::lock_guard lock(mutex_);
  sweep_locked(now);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.version != version) return nullptr;
  it->second.last_used = now;
  return it->second.rule;
}

void RuleDefinitionCache::put(std::int64_t id, std::int64_t version, std::shared_ptr<const domain::AlertRule> rule,
                              std::int64_t now) {
  std::lock_guard lock(mutex_);
  entries_[id] = Entry{version, std::move(rule), now};
}

std::size_t RuleDefinitionCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void RuleDefinitionCache::sweep_locked(std::int64_t now) {
  if (now < next_sweep_) return;
  next_sweep_ = now + options_.sweep_every_sec;
  for (auto it = entries_.begin(); it != entries_.end();)
    it = now - it->second.last_used > options_.max_idle_sec ? entries_.erase(it) : std::next(it);
}

}  // namespace sentinel::storage
