#include "auth/jwt.hpp"

#include <gtest/gtest.h>
#include <jwt.h>

#include <cstdlib>

using namespace sentinel;
using namespace std::chrono_literals;

namespace {

const std::string secret(40, 's');
core::Timestamp now_value = core::from_unix(1'800'000'000);
core::Timestamp fake_now() { return now_value; }

std::string base64url(std::string_view in) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned bits = 0, value = 0;
  for (const char c : in) {
    value = (value << 8) | static_cast<unsigned>(static_cast<unsigned char>(c));
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += table[(value >> bits) & 63u];
    }
  }
  if (bits > 0) out += table[(value << (6 - bits)) & 63u];
  return out;
}

}  // namespace

TEST(Jwt, RoundTripCarriesUserAndVersion) {
  auth::JwtCodec codec(secret, 3600s, fake_now);
  auto claims = codec.verify(codec.issue(42, 7));
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->user_id, 42);
  EXPECT_EQ(claims->token_version, 7);
  EXPECT_EQ(claims->expires_at, now_value + 3600s);
}

TEST(Jwt, ExpiredTokenIsRejected) {
  auth::JwtCodec codec(secret, 60s, fake_now);
  const auto token = codec.issue(1, 0);
  now_value += 61s;
  EXPECT_FALSE(codec.verify(token));
  now_value -= 61s;
}

TEST(Jwt, WrongSignatureIsRejected) {
  auth::JwtCodec codec(secret, 60s, fake_now);
  auth::JwtCodec other(std::string(40, 'x'), 60s, fake_now);
  EXPECT_FALSE(codec.verify(other.issue(1, 0)));
}

TEST(Jwt, TamperedPayloadIsRejected) {
  auth::JwtCodec codec(secret, 60s, fake_now);
  auto token = codec.issue(1, 0);
  const auto first = token.find('.'), second = token.find('.', first + 1);
  const std::string forged_payload = base64url(R"({"sub":"2","iat":1800000000,"exp":1900000000,"ver":0})");
  token = token.substr(0, first + 1) + forged_payload + token.substr(second);
  EXPECT_FALSE(codec.verify(token));
}

TEST(Jwt, AlgNoneIsRejected) {
  auth::JwtCodec codec(secret, 60s, fake_now);
  const std::string token = base64url(R"({"alg":"none","typ":"JWT"})") + "." +
                            base64url(R"({"sub":"1","iat":1800000000,"exp":1900000000,"ver":0})") + ".";
  EXPECT_FALSE(codec.verify(token));
}

TEST(Jwt, OtherHmacAlgorithmIsRejected) {
  jwt_t* j = nullptr;
  ASSERT_EQ(jwt_new(&j), 0);
  jwt_add_grant(j, "sub", "1");
  jwt_add_grant_int(j, "iat", 1800000000);
  jwt_add_grant_int(j, "exp", 1900000000);
  jwt_add_grant_int(j, "ver", 0);
  jwt_set_alg(j, JWT_ALG_HS512, reinterpret_cast<const unsigned char*>(secret.data()), static_cast<int>(secret.size()));
  char* s = jwt_encode_str(j);
  const std::string token(s);
  std::free(s);
  jwt_free(j);
  auth::JwtCodec codec(secret, 60s, fake_now);
  EXPECT_FALSE(codec.verify(token));
}

TEST(Jwt, GarbageIsRejectedWithoutCrashing) {
  auth::JwtCodec codec(secret, 60s, fake_now);
  const std::vector<std::string> garbage = {"", "abc", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9..",
                                            std::string(10000, 'a'), std::string("\0\xff\xfe", 3)};
  for (const auto& t : garbage)
    EXPECT_FALSE(codec.verify(t)) << t;
}
