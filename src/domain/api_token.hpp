#pragma once
// API tokens (product.md §7): long-lived credentials for scripts, CI and
// integrations. The secret ("snt_…") is shown once; only its hash is kept.
#include <cstdint>
#include <optional>
#include <string>

#include "core/time.hpp"
#include "domain/role.hpp"

namespace sentinel::domain {

struct ApiToken {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string name;
  Role role = Role::viewer;  // at most its owner's role
  core::Timestamp created_at{};
  std::optional<core::Timestamp> expires_at;
  std::optional<core::Timestamp> last_used_at;
};

// POST /api/v1/auth/tokens
struct ApiTokenCreate {
  std::string name;
  std::optional<Role> role;  // default: the owner's role
  std::optional<core::Timestamp> expires_at;
};

}  // namespace sentinel::domain
