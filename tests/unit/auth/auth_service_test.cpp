#include "auth/auth_service.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "auth/password.hpp"
#include "auth_env.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using test::AuthEnv;

TEST(AuthService, LoginIssuesTokenThatAuthenticates) {
  AuthEnv env;
  auto login = env.service.login("Alice@Example.com", "alice-password", "10.0.0.1");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->expires_in, 3600);
  auto user = env.service.authenticate(login->access_token);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->id, env.alice_id);
  EXPECT_EQ(user->email, "alice@example.com");
}

TEST(AuthService, UnknownEmailAndWrongPasswordLookTheSame) {
  AuthEnv env;
  auto unknown = env.service.login("nobody@example.com", "whatever-pass", "10.0.0.1");
  auto wrong = env.service.login("alice@example.com", "wrong-password", "10.0.0.1");
  ASSERT_FALSE(unknown);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(unknown.error().kind, core::ErrorKind::unauthorized);
  EXPECT_EQ(wrong.error().kind, core::ErrorKind::unauthorized);
  EXPECT_EQ(unknown.error().detail, wrong.error().detail);
  EXPECT_EQ(wrong.error().detail, "Incorrect email or password");
  auto huge = env.service.login(std::string(1000, 'a') + "@example.com", "whatever-pass", "10.0.0.1");
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().detail, "Incorrect email or password");
}

TEST(AuthService, InactiveUserLearnsItOnlyWithTheRightPassword) {
  AuthEnv env;
  storage::UserChanges deactivate;
  deactivate.is_active = false;
  ASSERT_TRUE(env.users.update(env.alice_id, deactivate));
  auto wrong = env.service.login("alice@example.com", "wrong-password", "10.0.0.1");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, core::ErrorKind::unauthorized);
  auto right = env.service.login("alice@example.com", "alice-password", "10.0.0.1");
  ASSERT_FALSE(right);
  EXPECT_EQ(right.error().kind, core::ErrorKind::forbidden);
  EXPECT_EQ(right.error().detail, "Inactive user");
}

TEST(AuthService, BadTokensAreUnauthorized) {
  AuthEnv env;
  for (const std::string token : {"", "garbage", "a.b.c"}) {
    auto user = env.service.authenticate(token);
    ASSERT_FALSE(user);
    EXPECT_EQ(user.error().kind, core::ErrorKind::unauthorized);
    EXPECT_EQ(user.error().detail, "Could not validate credentials");
  }
  auto login = env.service.login("alice@example.com", "alice-password", "10.0.0.1");
  ASSERT_TRUE(login);
  env.advance(3601s);
  EXPECT_FALSE(env.service.authenticate(login->access_token)) << "expired";
}

TEST(AuthService, TokenMustCarryTheCurrentTokenVersion) {
  AuthEnv env;
  const auto version = env.users.get(env.alice_id)->token_version;
  EXPECT_TRUE(env.service.authenticate(env.jwt.issue(env.alice_id, version)));
  EXPECT_FALSE(env.service.authenticate(env.jwt.issue(env.alice_id, version + 1)));
  EXPECT_FALSE(env.service.authenticate(env.jwt.issue(env.alice_id, version - 1)));
  EXPECT_FALSE(env.service.authenticate(env.jwt.issue(env.alice_id + 1000, 0))) << "no such user";
}

TEST(AuthService, PasswordChangeAndDeactivationRevokeTokens) {
  AuthEnv env;
  auto token = env.service.login("alice@example.com", "alice-password", "10.0.0.1")->access_token;
  ASSERT_TRUE(env.service.authenticate(token));
  storage::UserChanges change;
  change.password_hash = auth::hash_password("new-password-1");
  ASSERT_TRUE(env.users.update(env.alice_id, change));
  env.service.forget(env.alice_id);  // as the API does after a change
  EXPECT_FALSE(env.service.authenticate(token));

  auto fresh = env.service.login("alice@example.com", "new-password-1", "10.0.0.1")->access_token;
  EXPECT_TRUE(env.service.authenticate(fresh));
  storage::UserChanges deactivate;
  deactivate.is_active = false;
  ASSERT_TRUE(env.users.update(env.alice_id, deactivate));
  env.service.forget(env.alice_id);
  EXPECT_FALSE(env.service.authenticate(fresh));
}

TEST(AuthService, TokenOfDeletedUserIsRejected) {
  AuthEnv env;
  auto token = env.service.login("alice@example.com", "alice-password", "10.0.0.1")->access_token;
  ASSERT_TRUE(env.users.remove(env.alice_id));
  env.service.forget(env.alice_id);
  EXPECT_FALSE(env.service.authenticate(token));
}

TEST(AuthService, ChangesMadeElsewhereAreSeenAfterTheCacheLifetime) {
  AuthEnv env;
  auto token = env.service.login("alice@example.com", "alice-password", "10.0.0.1")->access_token;
  ASSERT_TRUE(env.service.authenticate(token));
  storage::UserChanges deactivate;  // e.g. `sentinel user deactivate` in another process
  deactivate.is_active = false;
  ASSERT_TRUE(env.users.update(env.alice_id, deactivate));
  std::this_thread::sleep_for(auth::AuthService::user_cache_ttl + std::chrono::milliseconds(50));
  EXPECT_FALSE(env.service.authenticate(token));
}
