#include "auth/password.hpp"

#include <gtest/gtest.h>

using namespace sentinel::auth;

TEST(Password, HashIsArgon2idAndVerifies) {
  const auto hash = hash_password("correct horse");
  EXPECT_TRUE(hash.starts_with("$argon2id$"));
  EXPECT_TRUE(verify_password(hash, "correct horse"));
  EXPECT_FALSE(verify_password(hash, "correct horsE"));
  EXPECT_NE(hash, hash_password("correct horse")) << "salted";
}

TEST(Password, MalformedHashNeverVerifies) {
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("plaintext", "plaintext"));
  EXPECT_FALSE(verify_password(std::string(500, '$'), "x"));
}

TEST(Password, Policy) {
  EXPECT_FALSE(password_policy_error("short").empty());
  EXPECT_TRUE(password_policy_error("long enough").empty());
  EXPECT_FALSE(password_policy_error(std::string(257, 'a')).empty());
}
