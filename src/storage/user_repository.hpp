#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/user.hpp"
#include "storage/database.hpp"

namespace sentinel::storage {

// What may change on a user; the password arrives already hashed.
struct UserChanges {
  std::optional<std::string> email;
  std::optional<std::string> password_hash;
  std::optional<bool> is_active;
  std::optional<bool> is_superuser;
};

class UserRepository {
 public:
  UserRepository(Database& db, core::Clock clock) : db_(db), clock_(std::move(clock)) {}

  // conflict (409 "Email already registered") when the email exists.
  core::Result<domain::User> create(const std::string& email, const std::string& password_hash,
                                    bool is_active, bool is_superuser);
  core::Result<domain::User> get(std::int64_t id);  // not_found "User not found"
  std::optional<domain::User> find_by_email(const std::string& email);  // case-insensitive
  std::vector<domain::User> list(std::int64_t skip, std::int64_t limit);  // by id
  std::int64_t count();
  // Bumps token_version when the password changes or the user is deactivated.
  core::Result<domain::User> update(std::int64_t id, const UserChanges& changes);
  core::Result<void> remove(std::int64_t id);

 private:
  Database& db_;
  core::Clock clock_;
};

}  // namespace sentinel::storage
