#include "auth/auth_service.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "auth/password.hpp"
#include "storage/migrator.hpp"

using namespace sentinel;
using namespace std::chrono_literals;

namespace {

core::Timestamp t = core::from_unix(1'800'000'000);
core::Timestamp clock_now() { return t; }

struct Env {
  std::unique_ptr<storage::Database> db = storage::Database::open("sqlite:///:memory:", 1);
  storage::UserRepository users{*db, clock_now};
  auth::JwtCodec jwt{std::string(40, 'k'), 3600s, clock_now};
  auth::RateLimiter per_address{20, 900s, clock_now};
  auth::RateLimiter per_account{5, 900s, clock_now};
  auth::AuthService service{users, jwt, per_address, per_account};
  Env() {
    storage::migrate(*db);
    users.create("alice@example.com", auth::hash_password("alice-password"), true, false);
  }
};

}  // namespace

TEST(AuthService, LoginIssuesTokenThatAuthenticates) {
  Env env;
  auto login = env.service.login("Alice@Example.com", "alice-password", "10.0.0.1");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->expires_in, 3600);
  auto user = env.service.authenticate(login->access_token);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->email, "alice@example.com");
}

TEST(AuthService, UnknownEmailAndWrongPasswordLookTheSame) {
  Env env;
  auto unknown = env.service.login("nobody@example.com", "whatever-pass", "10.0.0.1");
  auto wrong = env.service.login("alice@example.com", "wrong-password", "10.0.0.1");
  ASSERT_FALSE(unknown);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(unknown.error().kind, core::ErrorKind::unauthorized);
  EXPECT_EQ(unknown.error().detail, wrong.error().detail);
  EXPECT_EQ(wrong.error().detail, "Incorrect email or password");
}

TEST(AuthService, AccountIsRateLimitedAfterFiveFailures) {
  Env env;
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(env.service.login("alice@example.com", "bad-password", "10.0.0.1"));
  auto blocked = env.service.login("alice@example.com", "alice-password", "10.0.0.2");
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().kind, core::ErrorKind::rate_limited);
  EXPECT_GT(blocked.error().retry_after_sec, 0);
  t += 901s;
  EXPECT_TRUE(env.service.login("alice@example.com", "alice-password", "10.0.0.2"));
}

TEST(AuthService, PasswordChangeAndDeactivationRevokeTokens) {
  Env env;
  auto token = env.service.login("alice@example.com", "alice-password", "10.0.0.1")->access_token;
  auto alice = env.users.find_by_email("alice@example.com");
  storage::UserChanges change;
  change.password_hash = auth::hash_password("new-password-1");
  ASSERT_TRUE(env.users.update(alice->id, change));
  env.service.forget(alice->id);  // as the API does after a change
  EXPECT_FALSE(env.service.authenticate(token));

  auto fresh = env.service.login("alice@example.com", "new-password-1", "10.0.0.1")->access_token;
  EXPECT_TRUE(env.service.authenticate(fresh));
  storage::UserChanges deactivate;
  deactivate.is_active = false;
  ASSERT_TRUE(env.users.update(alice->id, deactivate));
  env.service.forget(alice->id);
  EXPECT_FALSE(env.service.authenticate(fresh));
  auto inactive = env.service.login("alice@example.com", "new-password-1", "10.0.0.1");
  ASSERT_FALSE(inactive);
  EXPECT_EQ(inactive.error().kind, core::ErrorKind::forbidden);
}

TEST(AuthService, TokenOfDeletedUserIsRejected) {
  Env env;
  auto token = env.service.login("alice@example.com", "alice-password", "10.0.0.1")->access_token;
  const auto id = env.users.find_by_email("alice@example.com")->id;
  ASSERT_TRUE(env.users.remove(id));
  env.service.forget(id);
  EXPECT_FALSE(env.service.authenticate(token));
}

TEST(AuthService, ChangesMadeElsewhereAreSeenAfterTheCacheLifetime) {
  Env env;
  auto token = env.service.login("alice@example.com", "alice-password", "10.0.0.1")->access_token;
  ASSERT_TRUE(env.service.authenticate(token));
  storage::UserChanges deactivate;  // e.g. `sentinel user deactivate` in another process
  deactivate.is_active = false;
  ASSERT_TRUE(env.users.update(env.users.find_by_email("alice@example.com")->id, deactivate));
  std::this_thread::sleep_for(auth::AuthService::user_cache_ttl + std::chrono::milliseconds(50));
  EXPECT_FALSE(env.service.authenticate(token));
}
