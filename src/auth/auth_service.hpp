#pragma once
// Login and bearer-token authentication on top of the user repository.
// Every method blocks (Argon2id, SQL): call from the BlockingPool.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <string_view>

#include "auth/jwt.hpp"
#include "auth/failure_limiter.hpp"
#include "auth/rate_limiter.hpp"
#include "core/error.hpp"
#include "domain/user.hpp"
#include "storage/user_repository.hpp"

namespace sentinel::auth {

// Login failure limits (15-minute sliding window): an account is protected
// against password guessing from many addresses, an address against
// spraying many accounts.
inline constexpr std::size_t login_failures_per_account = 5;
inline constexpr std::size_t login_failures_per_address = 20;
inline constexpr std::chrono::seconds login_failure_window{15 * 60};

struct LoginResult {
  std::string access_token;
  std::int64_t expires_in = 0;  // seconds
};

class AuthService {
 public:
  AuthService(storage::UserRepository& users, const JwtCodec& jwt, FailureLimiter& per_address,
              FailureLimiter& per_account)
      : users_(users), jwt_(jwt), per_address_(per_address), per_account_(per_account) {}

  // unauthorized "Incorrect email or password" (same answer and similar
  // time for unknown email and wrong password); forbidden "Inactive user";
  // rate_limited with retry_after when the client address or the account has
  // too many recent failures.
  core::Result<LoginResult> login(std::string_view email, std::string_view password,
                                  std::string_view client_address);

  // How long a looked-up user may be reused for authentication. Changes made
  // through this process's API take effect at once (forget()); changes made
  // elsewhere (another process, the CLI) within this time.
  static constexpr std::chrono::milliseconds user_cache_ttl{1000};

  // Validates "Authorization: Bearer <jwt>" token text (without the
  // "Bearer " prefix). unauthorized when the token is bad or expired, the
  // user is gone or deactivated, or token_version changed (password change).
  core::Result<domain::User> authenticate(std::string_view token);

  // Drops the cached copy of a user after it was changed or deleted.
  void forget(std::int64_t user_id);

 private:
  storage::UserRepository& users_;
  const JwtCodec& jwt_;
  FailureLimiter& per_address_;
  FailureLimiter& per_account_;

  struct CachedUser {
    domain::User user;
    std::chrono::steady_clock::time_point fetched;
  };
  std::mutex cache_mutex_;
  std::unordered_map<std::int64_t, CachedUser> users_cache_;
};

}  // namespace sentinel::auth
