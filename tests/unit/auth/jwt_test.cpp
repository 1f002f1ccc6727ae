#include "auth/jwt.hpp"

#include <gtest/gtest.h>
#include <jwt.h>

#include "jwt_test_support.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using test::base64url;
using test::sign_claims;
using test::unsigned_token;

namespace {

const std::string secret(40, 's');
core::Timestamp now_value = core::from_unix(1'800'000'000);
core::Timestamp fake_now() { return now_value; }

}  // namespace

TEST(Jwt, RoundTripCarriesUserAndVersion) {
  auth::JwtCodec codec(secret, 3600s, fake_now);
  auto claims = codec.verify(codec.issue(42, 7));
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->user_id, 42);
  EXPECT_EQ(claims->token_version, 7);
  EXPECT_EQ(claims->issued_at, now_value);
  EXPECT_EQ(claims->expires_at, now_value + 3600s);
}

TEST(Jwt, IssuedTokenIsStandardHs256WithStringSubject) {
  // What other JWT libraries (and the original FastAPI app) expect to read.
  auth::JwtCodec codec(secret, 3600s, fake_now);
  const auto token = codec.issue(42, 7);
  jwt_t* raw = nullptr;
  ASSERT_EQ(jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(secret.data()),
                       static_cast<int>(secret.size())),
            0);
  EXPECT_EQ(jwt_get_alg(raw), JWT_ALG_HS256);
  ASSERT_NE(jwt_get_grant(raw, "sub"), nullptr);
  EXPECT_STREQ(jwt_get_grant(raw, "sub"), "42");
  EXPECT_EQ(jwt_get_grant_int(raw, "iat"), 1'800'000'000);
  EXPECT_EQ(jwt_get_grant_int(raw, "exp"), 1'800'003'600);
  EXPECT_EQ(jwt_get_grant_int(raw, "ver"), 7);
  jwt_free(raw);
}

TEST(Jwt, ExpiredTokenIsRejected) {
  auth::JwtCodec codec(secret, 60s, fake_now);
  const auto token = codec.issue(1, 0);
  now_value += 61s;
  auto claims = codec.verify(token);
  now_value -= 61s;
  ASSERT_FALSE(claims);
  EXPECT_EQ(claims.error().kind, core::ErrorKind::unauthorized);
  EXPECT_EQ(claims.error().detail, "Could not validate credentials");
}

TEST(Jwt, AlreadyVerifiedTokenStillExpires) {
  // Verification results are cached per token; expiry must not be.
  auth::JwtCodec codec(secret, 60s, fake_now);
  const auto token = codec.issue(1, 0);
  ASSERT_TRUE(codec.verify(token));
  now_value += 59s;
  EXPECT_TRUE(codec.verify(token));
  now_value += 1s;
  EXPECT_FALSE(codec.verify(token)) << "exp == now is expired";
  now_value -= 60s;
}

TEST(Jwt, WrongSignatureIsRejected) {
  auth::JwtCodec codec(secret, 60s, fake_now);
  auth::JwtCodec other(std::string(40, 'x'), 60s, fake_now);
  EXPECT_FALSE(codec.verify(other.issue(1, 0)));
  // A valid token does not make a forged one with the same payload pass.
  const auto good = codec.issue(1, 0);
  ASSERT_TRUE(codec.verify(good));
  auto forged = good;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(codec.verify(forged));
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
  const std::string claims = R"({"sub":"1","iat":1800000000,"exp":1900000000,"ver":0})";
  for (const char* header : {R"({"alg":"none","typ":"JWT"})", R"({"alg":"None","typ":"JWT"})",
                             R"({"alg":"NONE"})", R"({"typ":"JWT"})"}) {
    EXPECT_FALSE(codec.verify(unsigned_token(header, claims))) << header;
    EXPECT_FALSE(codec.verify(unsigned_token(header, claims, "c2lnbmF0dXJl"))) << header << " with a signature";
  }
}

TEST(Jwt, OtherAlgorithmIsRejectedEvenWithTheRightKey) {
  auth::JwtCodec codec(secret, 60s, fake_now);
  const std::string claims = R"({"sub":"1","iat":1800000000,"exp":1900000000,"ver":0})";
  EXPECT_TRUE(codec.verify(sign_claims(claims, secret, JWT_ALG_HS256))) << "control";
  EXPECT_FALSE(codec.verify(sign_claims(claims, secret, JWT_ALG_HS384)));
  EXPECT_FALSE(codec.verify(sign_claims(claims, secret, JWT_ALG_HS512)));
}

TEST(Jwt, GarbageIsRejectedWithoutCrashing) {
  auth::JwtCodec codec(secret, 60s, fake_now);
  const std::vector<std::string> garbage = {"",
                                            "abc",
                                            "a.b.c",
                                            "....",
                                            "eyJhbGciOiJIUzI1NiJ9..",
                                            "eyJhbGciOiJIUzI1NiJ9.e30.",
                                            "Bearer " + codec.issue(1, 0),
                                            std::string(10000, 'a'),
                                            std::string("\0\xff\xfe", 3),
                                            unsigned_token(R"({"alg":"HS256"})", "not json", "sig"),
                                            unsigned_token("[1,2]", "{}", "sig")};
  for (const auto& t : garbage) {
    auto claims = codec.verify(t);
    ASSERT_FALSE(claims) << t;
    EXPECT_EQ(claims.error().kind, core::ErrorKind::unauthorized);
  }
}
