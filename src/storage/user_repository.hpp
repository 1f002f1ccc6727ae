#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/audit.hpp"
#include "domain/user.hpp"
#include "storage/database.hpp"

namespace sentinel::storage {

// What may change on a user; the password arrives already hashed.
struct UserChanges {
  std::optional<std::string> email;
  std::optional<std::string> password_hash;
  std::optional<bool> is_active;
  std::optional<bool> is_superuser;
  std::optional<domain::Role> role;  // wins over is_superuser (see domain::patched_role)
};

class UserRepository {
 public:
  UserRepository(Database& db, core::Clock clock) : db_(db), clock_(std::move(clock)) {}

  // conflict (409 "Email already registered") when the email exists.
  // Audited as user.create by `actor`.
  core::Result<domain::User> create(const std::string& email, const std::string& password_hash, bool is_active,
                                    domain::Role role, const domain::AuditActor& actor);
  core::Result<domain::User> get(std::int64_t id);  // not_found "User not found"
  std::optional<domain::User> find_by_email(const std::string& email);  // case-insensitive
  std::vector<domain::User> list(std::int64_t skip, std::int64_t limit);  // by id
  std::int64_t count();
  // Bumps token_version when the password changes, the user is
  // deactivated or loses a role (its sessions end). Audited as user.update.
  core::Result<domain::User> update(std::int64_t id, const UserChanges& changes, const domain::AuditActor& actor);
  // Audited as user.delete; the user's API tokens go with it.
  core::Result<void> remove(std::int64_t id, const domain::AuditActor& actor);

 private:
  Database& db_;
  core::Clock clock_;
};

}  // namespace sentinel::storage
