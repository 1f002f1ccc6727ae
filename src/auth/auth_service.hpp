#pragma once
// Login and bearer-token authentication on top of the user repository.
// Every method blocks (Argon2id, SQL): call from the BlockingPool.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <string_view>

#include "auth/jwt.hpp"
#include "auth/principal.hpp"
#include "auth/failure_limiter.hpp"
#include "auth/rate_limiter.hpp"
#include "core/error.hpp"
#include "domain/user.hpp"
#include "storage/api_token_repository.hpp"
#include "storage/user_repository.hpp"

namespace sentinel::auth {

// Login failure limits (15-minute sliding window), product.md §7: one
// client address may fail 20 times whatever the accounts (spraying), and 5
// times for one account. An account's count is kept per client address, so
// failures from other addresses never lock its owner out; guessing one
// account from many addresses is slowed by each address's own limit.
inline constexpr std::size_t login_failures_per_account = 5;
inline constexpr std::size_t login_failures_per_address = 20;
inline constexpr std::chrono::seconds login_failure_window{15 * 60};

// A login between its steps (AuthService::begin_login).
struct LoginAttempt {
  std::string address_key;            // limiter keys
  std::string account_key;
  std::optional<domain::User> user;   // nullopt: unknown email (a dummy hash is checked)
};

struct LoginResult {
  std::string access_token;
  std::int64_t expires_in = 0;  // seconds
  std::int64_t user_id = 0;     // who logged in (for the audit log)
};

// A new API token: its stored form and the secret, shown once.
struct IssuedApiToken {
  domain::ApiToken token;
  std::string secret;
};

class AuthService {
 public:
  AuthService(storage::UserRepository& users, storage::ApiTokenRepository& api_tokens, const JwtCodec& jwt,
              FailureLimiter& per_address, FailureLimiter& per_account, core::Clock clock = core::system_now)
      : users_(users),
        api_tokens_(api_tokens),
        jwt_(jwt),
        per_address_(per_address),
        per_account_(per_account),
        clock_(std::move(clock)) {}

  // unauthorized "Incorrect email or password" (same answer and similar
  // time for unknown email and wrong password); forbidden "Inactive user";
  // rate_limited with retry_after when the client address, or this account
  // from this client address, has too many recent failures.
  // `client_address` is the key per-client limits count by (Request::client_key).
  core::Result<LoginResult> login(std::string_view email, std::string_view password,
                                  std::string_view client_address);

  // The same login in three steps, so that a server runs only the hash on
  // its hashing pool (auth::HashPool, at idle CPU priority) and the limits,
  // the SQL and the token on its blocking pool: nothing that holds a
  // database connection or a lock then waits behind a starved hash.
  //   begin_login: rate_limited (as login), else the attempt; blocks on SQL.
  //   check_password: one Argon2id verification (a dummy one for an unknown
  //     email); never fails, CPU only.
  //   finish_login: counts a failure (unauthorized), or forbidden, or the token.
  core::Result<LoginAttempt> begin_login(std::string_view email, std::string_view client_address);
  static bool check_password(const LoginAttempt& attempt, std::string_view password);
  core::Result<LoginResult> finish_login(const LoginAttempt& attempt, bool password_ok);

  // How long a looked-up user may be reused for authentication. Changes made
  // through this process's API take effect at once (forget()); changes made
  // elsewhere (another process, the CLI) within this time.
  static constexpr std::chrono::milliseconds user_cache_ttl{1000};

  // Validates "Authorization: Bearer <credential>" text (without the
  // "Bearer " prefix): a JWT from login, or an API token ("snt_…").
  // unauthorized when it is bad, expired or revoked, the user is gone or
  // deactivated, or token_version changed (password change, demotion).
  core::Result<Principal> authenticate(std::string_view token);

  // Makes an API token for `owner` (role at most the owner's: invalid at
  // loc body.role otherwise). Audited as token.create by `actor`.
  core::Result<IssuedApiToken> issue_api_token(const Principal& owner, const domain::ApiTokenCreate& in,
                                               const domain::AuditActor& actor);

  // How long a looked-up API token may be reused: a revocation made in
  // another process takes effect within this time (product.md: 1 s).
  static constexpr std::chrono::milliseconds api_token_cache_ttl{500};

  // Drops the cached copy of a user after it was changed or deleted.
  void forget(std::int64_t user_id);
  // Drops the cached copy of an API token after it was revoked.
  void forget_api_token(std::int64_t token_id);

 private:
  // The user behind a credential, through the short-lived cache.
  std::optional<domain::User> cached_user(std::int64_t user_id);
  core::Result<Principal> authenticate_api_token(std::string_view token);

  storage::UserRepository& users_;
  storage::ApiTokenRepository& api_tokens_;
  const JwtCodec& jwt_;
  FailureLimiter& per_address_;
  FailureLimiter& per_account_;

  struct CachedUser {
    domain::User user;
    std::chrono::steady_clock::time_point fetched;
  };
  std::mutex cache_mutex_;
  std::unordered_map<std::int64_t, CachedUser> users_cache_;

  struct CachedToken {
    std::optional<storage::StoredApiToken> token;  // nullopt: no such token
    std::chrono::steady_clock::time_point fetched;
  };
  std::unordered_map<std::string, CachedToken> tokens_cache_;             // by hash
  std::unordered_map<std::int64_t, std::chrono::steady_clock::time_point> last_touched_;  // last_used_at writes
  core::Clock clock_;
};

}  // namespace sentinel::auth
