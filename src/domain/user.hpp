#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace sentinel::domain {

struct User {
  std::int64_t id = 0;
  std::string email;          // stored lower-cased; unique
  std::string password_hash;  // Argon2id, libsodium's crypto_pwhash_str format
  bool is_active = true;
  bool is_superuser = false;
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
};

// PATCH /api/v1/users/{id}: only the present fields change.
struct UserPatch {
  std::optional<std::string> email;
  std::optional<std::string> password;
  std::optional<bool> is_active;
  std::optional<bool> is_superuser;
};

}  // namespace sentinel::domain
