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
  EXPECT_EQ(user->user.id, env.alice_id);
  EXPECT_EQ(user->user.email, "alice@example.com");
  EXPECT_EQ(user->role, domain::Role::editor);
  EXPECT_EQ(user->via(), "password");
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
  ASSERT_TRUE(env.users.update(env.alice_id, deactivate, domain::AuditActor::cli()));
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
  ASSERT_TRUE(env.users.update(env.alice_id, change, domain::AuditActor::cli()));
  env.service.forget(env.alice_id);  // as the API does after a change
  EXPECT_FALSE(env.service.authenticate(token));

  auto fresh = env.service.login("alice@example.com", "new-password-1", "10.0.0.1")->access_token;
  EXPECT_TRUE(env.service.authenticate(fresh));
  storage::UserChanges deactivate;
  deactivate.is_active = false;
  ASSERT_TRUE(env.users.update(env.alice_id, deactivate, domain::AuditActor::cli()));
  env.service.forget(env.alice_id);
  EXPECT_FALSE(env.service.authenticate(fresh));
}

TEST(AuthService, TokenOfDeletedUserIsRejected) {
  AuthEnv env;
  auto token = env.service.login("alice@example.com", "alice-password", "10.0.0.1")->access_token;
  ASSERT_TRUE(env.users.remove(env.alice_id, domain::AuditActor::cli()));
  env.service.forget(env.alice_id);
  EXPECT_FALSE(env.service.authenticate(token));
}

TEST(AuthService, ChangesMadeElsewhereAreSeenAfterTheCacheLifetime) {
  AuthEnv env;
  auto token = env.service.login("alice@example.com", "alice-password", "10.0.0.1")->access_token;
  ASSERT_TRUE(env.service.authenticate(token));
  storage::UserChanges deactivate;  // e.g. `sentinel user deactivate` in another process
  deactivate.is_active = false;
  ASSERT_TRUE(env.users.update(env.alice_id, deactivate, domain::AuditActor::cli()));
  std::this_thread::sleep_for(auth::AuthService::user_cache_ttl + std::chrono::milliseconds(50));
  EXPECT_FALSE(env.service.authenticate(token));
}

// API tokens (product.md §7): a secret shown once, a role at most the
// owner's, dead when revoked, expired, or its owner deactivated or deleted.
namespace {

auth::Principal alice_principal(AuthEnv& env) {
  auto login = env.service.login("alice@example.com", "alice-password", "10.0.0.1");
  return env.service.authenticate(login->access_token).value();
}

}  // namespace

TEST(ApiTokens, AuthenticateWithTheRoleAskedForAndTheOwner) {
  AuthEnv env;
  auto owner = alice_principal(env);
  EXPECT_EQ(owner.role, domain::Role::editor);
  EXPECT_FALSE(owner.token_id);
  domain::ApiTokenCreate in;
  in.name = "grafana";
  in.role = domain::Role::viewer;
  auto issued = env.service.issue_api_token(owner, in, domain::AuditActor::cli());
  ASSERT_TRUE(issued);
  EXPECT_TRUE(issued->secret.starts_with("snt_"));
  EXPECT_GE(issued->secret.size(), 4u + 43u) << "32 random bytes, base64url";
  auto p = env.service.authenticate(issued->secret);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->user.id, env.alice_id);
  EXPECT_EQ(p->role, domain::Role::viewer);
  EXPECT_EQ(p->token_id, issued->token.id);
  EXPECT_EQ(p->via(), "token");
  // Not the same secret with one character changed, nor the hash itself.
  auto tampered = issued->secret;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(env.service.authenticate(tampered));
  EXPECT_FALSE(env.service.authenticate("snt_"));
  EXPECT_FALSE(env.service.authenticate("snt_" + std::string(500, 'x')));
}

TEST(ApiTokens, RoleAboveTheOwnersIsRefused) {
  AuthEnv env;
  domain::ApiTokenCreate in;
  in.name = "too much";
  in.role = domain::Role::admin;
  auto issued = env.service.issue_api_token(alice_principal(env), in, domain::AuditActor::cli());
  ASSERT_FALSE(issued);
  EXPECT_EQ(issued.error().kind, core::ErrorKind::invalid);
  EXPECT_EQ(issued.error().fields.at(0).loc.back(), "role");
}

TEST(ApiTokens, RevokedExpiredOrOwnerGoneStopsWorking) {
  AuthEnv env;
  domain::ApiTokenCreate in;
  in.name = "ci";
  in.expires_at = env.now + std::chrono::hours(1);
  auto issued = env.service.issue_api_token(alice_principal(env), in, domain::AuditActor::cli()).value();
  ASSERT_TRUE(env.service.authenticate(issued.secret));
  env.advance(std::chrono::seconds(3601));
  EXPECT_FALSE(env.service.authenticate(issued.secret)) << "expired";

  domain::ApiTokenCreate forever;
  forever.name = "forever";
  auto second = env.service.issue_api_token(alice_principal(env), forever, domain::AuditActor::cli()).value();
  ASSERT_TRUE(env.service.authenticate(second.secret));
  ASSERT_TRUE(env.api_tokens.revoke(second.token.id, domain::AuditActor::cli()));
  env.service.forget_api_token(second.token.id);
  EXPECT_FALSE(env.service.authenticate(second.secret)) << "revoked in this process: at once";

  auto third = env.service.issue_api_token(alice_principal(env), forever, domain::AuditActor::cli()).value();
  ASSERT_TRUE(env.service.authenticate(third.secret));
  ASSERT_TRUE(env.api_tokens.revoke(third.token.id, domain::AuditActor::cli()));  // as another process would
  std::this_thread::sleep_for(auth::AuthService::api_token_cache_ttl + std::chrono::milliseconds(50));
  EXPECT_FALSE(env.service.authenticate(third.secret)) << "revoked elsewhere: within the cache lifetime";

  auto fourth = env.service.issue_api_token(alice_principal(env), forever, domain::AuditActor::cli()).value();
  storage::UserChanges deactivate;
  deactivate.is_active = false;
  ASSERT_TRUE(env.users.update(env.alice_id, deactivate, domain::AuditActor::cli()));
  env.service.forget(env.alice_id);
  EXPECT_FALSE(env.service.authenticate(fourth.secret)) << "owner deactivated";
}

TEST(ApiTokens, ATokenShrinksWithItsOwnersRole) {
  AuthEnv env;
  domain::ApiTokenCreate in;
  in.name = "ops";
  auto issued = env.service.issue_api_token(alice_principal(env), in, domain::AuditActor::cli()).value();
  EXPECT_EQ(issued.token.role, domain::Role::editor) << "default: the owner's role";
  storage::UserChanges demote;
  demote.role = domain::Role::viewer;
  ASSERT_TRUE(env.users.update(env.alice_id, demote, domain::AuditActor::cli()));
  env.service.forget(env.alice_id);
  auto p = env.service.authenticate(issued.secret);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->role, domain::Role::viewer);
}
