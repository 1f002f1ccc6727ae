#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/time.hpp"
#include "domain/role.hpp"

namespace sentinel::domain {

struct User {
  std::int64_t id = 0;
  std::string email;          // stored lower-cased; unique
  std::string password_hash;  // Argon2id, libsodium's crypto_pwhash_str format
  bool is_active = true;
  Role role = Role::editor;
  // The original API's flag: exactly the admin role.
  bool is_superuser() const { return role == Role::admin; }
  // Bumped on password change and deactivation; copied into each JWT as
  // "ver" so older tokens stop validating at once.
  std::int64_t token_version = 0;
  core::Timestamp created_at{};
  core::Timestamp updated_at{};
};

// Input of POST /api/v1/users/ and `sentinel user create` (password still plain).
struct UserCreate {
  std::string email;
  std::string password;
  bool is_active = true;
  bool is_superuser = false;
  std::optional<Role> role;  // unset: admin when is_superuser, else editor
};

// PATCH /api/v1/users/{id}: only the present fields change.
struct UserPatch {
  std::optional<std::string> email;
  std::optional<std::string> password;
  std::optional<bool> is_active;
  std::optional<bool> is_superuser;
  std::optional<Role> role;
};

// The role a create asks for: an explicit role wins; is_superuser means admin.
inline Role requested_role(const UserCreate& in) { return in.role ? *in.role : default_role(in.is_superuser); }

// The role after a patch: an explicit role wins; is_superuser true makes an
// admin, false demotes an admin to editor (and leaves other roles alone).
inline Role patched_role(Role current, const UserPatch& p) {
  if (p.role) return *p.role;
  if (p.is_superuser) return *p.is_superuser ? Role::admin : (current == Role::admin ? Role::editor : current);
  return current;
}

}  // namespace sentinel::domain
