// Login rate limits through AuthService: per account and per client address.
#include <gtest/gtest.h>

#include "auth_env.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using test::AuthEnv;

namespace {

void expect_rate_limited(const core::Result<auth::LoginResult>& r, int retry_after) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::ErrorKind::rate_limited);
  EXPECT_EQ(r.error().detail, "Too many login attempts, try again later");
  EXPECT_EQ(r.error().retry_after_sec, retry_after);
}

}  // namespace

TEST(LoginLimits, AccountIsLockedForOneAddressAfterFiveFailuresFromIt) {
  AuthEnv env;
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(env.service.login("alice@example.com", "bad-password", "203.0.113.7"));
  // Even the right password from that address is refused for now.
  expect_rate_limited(env.service.login("alice@example.com", "alice-password", "203.0.113.7"), 900);
  env.advance(300s);
  // Refused attempts are not failures: they do not extend the lock.
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(env.service.login("alice@example.com", "bad-password", "203.0.113.7"));
  expect_rate_limited(env.service.login("alice@example.com", "alice-password", "203.0.113.7"), 600);
  env.advance(600s);
  EXPECT_TRUE(env.service.login("alice@example.com", "alice-password", "203.0.113.7"));
}

TEST(LoginLimits, FailuresFromOtherAddressesNeverLockTheOwnerOut) {
  AuthEnv env;
  // An attacker guesses alice's password from one address until refused...
  for (int i = 0; i < 12; ++i) EXPECT_FALSE(env.service.login("alice@example.com", "bad-password", "203.0.113.7"));
  // ...and from many: each address stops at 5 for this account.
  for (int a = 1; a <= 10; ++a)
    for (int i = 0; i < 6; ++i)
      EXPECT_FALSE(env.service.login("alice@example.com", "bad-password", "198.51.100." + std::to_string(a)));
  expect_rate_limited(env.service.login("alice@example.com", "alice-password", "198.51.100.3"), 900);
  // Alice, from her own address, is let in at once.
  EXPECT_TRUE(env.service.login("alice@example.com", "alice-password", "192.0.2.10"));
  // Even after a few typos of her own.
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(env.service.login("alice@example.com", "typo-password", "192.0.2.10"));
  EXPECT_TRUE(env.service.login("alice@example.com", "alice-password", "192.0.2.10"));
}

TEST(LoginLimits, AccountKeyIgnoresEmailCase) {
  AuthEnv env;
  for (const char* email : {"ALICE@example.com", "alice@EXAMPLE.com", "Alice@Example.Com", "alice@example.COM",
                            "aLiCe@example.com"})
    EXPECT_FALSE(env.service.login(email, "bad-password", "10.0.0.1"));
  expect_rate_limited(env.service.login("alice@example.com", "alice-password", "10.0.0.1"), 900);
  EXPECT_TRUE(env.service.login("alice@example.com", "alice-password", "10.0.0.2"));
}

TEST(LoginLimits, AddressIsLimitedAcrossAccounts) {
  AuthEnv env;
  for (int i = 0; i < 20; ++i)
    EXPECT_FALSE(env.service.login("user" + std::to_string(i) + "@example.com", "guess-password", "203.0.113.7"));
  expect_rate_limited(env.service.login("alice@example.com", "alice-password", "203.0.113.7"), 900);
  EXPECT_TRUE(env.service.login("alice@example.com", "alice-password", "198.51.100.1")) << "other addresses unaffected";
}

TEST(LoginLimits, SuccessForgivesTheAccountButNotTheAddress) {
  AuthEnv env;
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(env.service.login("alice@example.com", "bad-password", "10.0.0.1"));
  ASSERT_TRUE(env.service.login("alice@example.com", "alice-password", "10.0.0.1"));
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(env.service.login("alice@example.com", "bad-password", "10.0.0.1"));
  EXPECT_TRUE(env.service.login("alice@example.com", "alice-password", "10.0.0.1")) << "account count was reset";

  // The address has 8 failures; 12 more on other accounts reach its limit of 20
  // even though alice logged in successfully from it in between.
  for (int i = 0; i < 12; ++i)
    EXPECT_FALSE(env.service.login("user" + std::to_string(i) + "@example.com", "guess-password", "10.0.0.1"));
  expect_rate_limited(env.service.login("alice@example.com", "alice-password", "10.0.0.1"), 900);
}

TEST(LoginLimits, RetryAfterIsTheLongerOfBothLocks) {
  AuthEnv env;
  for (int i = 0; i < 15; ++i)
    EXPECT_FALSE(env.service.login("user" + std::to_string(i) + "@example.com", "guess-password", "10.0.0.1"));
  env.advance(600s);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(env.service.login("alice@example.com", "bad-password", "10.0.0.1"));
  // Address lock (20 failures) ends in 300 s, alice-from-this-address in 900 s.
  expect_rate_limited(env.service.login("alice@example.com", "alice-password", "10.0.0.1"), 900);
  expect_rate_limited(env.service.login("nobody@example.com", "whatever-pass", "10.0.0.1"), 300);
  EXPECT_TRUE(env.service.login("alice@example.com", "alice-password", "10.0.0.2"));
}
