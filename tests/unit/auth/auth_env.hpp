#pragma once
// An AuthService over a real UserRepository on an in-memory SQLite database,
// the production login limits, and a clock the test moves by hand. One user
// exists: alice@example.com / alice-password.
#include <chrono>
#include <memory>
#include <string>

#include "auth/auth_service.hpp"
#include "auth/password.hpp"
#include "storage/api_token_repository.hpp"
#include "storage/database.hpp"
#include "storage/migrator.hpp"

namespace sentinel::test {

struct AuthEnv {
  AuthEnv() {
    storage::migrate(*db);
    alice_id = users.create("alice@example.com", auth::hash_password("alice-password"), true, domain::Role::editor,
                            domain::AuditActor::cli())
                   ->id;
  }
  AuthEnv(const AuthEnv&) = delete;  // the clock captures `this`
  AuthEnv& operator=(const AuthEnv&) = delete;

  void advance(std::chrono::seconds s) { now += s; }

  core::Timestamp now = core::from_unix(1'800'000'000);
  core::Clock clock = [this] { return now; };
  std::unique_ptr<storage::Database> db = storage::Database::open("sqlite:///:memory:", 1);
  storage::UserRepository users{*db, clock};
  storage::ApiTokenRepository api_tokens{*db, clock};
  auth::JwtCodec jwt{std::string(40, 'k'), std::chrono::seconds(3600), clock};
  auth::RateLimiter per_address{auth::login_failures_per_address, auth::login_failure_window, clock};
  auth::RateLimiter per_account{auth::login_failures_per_account, auth::login_failure_window, clock};
  auth::AuthService service{users, api_tokens, jwt, per_address, per_account, clock};
  std::int64_t alice_id = 0;
};

}  // namespace sentinel::test
