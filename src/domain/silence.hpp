#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace sentinel::domain {

// Suppresses notifications for matching events between starts_at and ends_at.
// With neither server_id nor rule_id it matches everything.
struct Silence {
  std::int64_t id = 0;
  std::optional<std::int64_t> server_id;
  std::optional<std::int64_t> rule_id;
  core::Timestamp starts_at{};
  core::Timestamp ends_at{};
  std::string comment;
  std::optional<std::int64_t> created_by;  // user id
  core::Timestamp created_at{};
};

struct SilenceCreate {
  std::optional<std::int64_t> server_id;
  std::optional<std::int64_t> rule_id;
  std::optional<core::Timestamp> starts_at;  // default: now
  core::Timestamp ends_at{};
  std::string comment;
};

struct SilenceFilter {
  bool active_only = false;  // starts_at <= now < ends_at
  std::int64_t skip = 0;
  std::int64_t limit = 100;
};

}  // namespace sentinel::domain
