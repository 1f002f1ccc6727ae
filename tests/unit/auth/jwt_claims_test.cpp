// Correctly signed HS256 tokens whose claims are wrong: the signature alone
// never makes a token acceptable.
#include <gtest/gtest.h>

#include "auth/jwt.hpp"
#include "jwt_test_support.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using test::sign_claims;

namespace {

const std::string secret(40, 'c');
constexpr std::int64_t now_unix = 1'800'000'000;
core::Timestamp fixed_now() { return core::from_unix(now_unix); }

auth::JwtCodec codec() { return auth::JwtCodec(secret, 3600s, fixed_now); }

std::string claims_with(const std::string& sub, const std::string& iat, const std::string& exp,
                        const std::string& ver) {
  std::string json = "{";
  auto add = [&](const char* name, const std::string& value) {
    if (value.empty()) return;  // claim left out
    json += (json.size() > 1 ? "," : "") + std::string("\"") + name + "\":" + value;
  };
  add("sub", sub);
  add("iat", iat);
  add("exp", exp);
  add("ver", ver);
  return json + "}";
}

const std::string iat = std::to_string(now_unix - 10);
const std::string exp = std::to_string(now_unix + 600);

}  // namespace

TEST(JwtClaims, HandSignedTokenWithGoodClaimsIsAccepted) {
  // Control for the tests below: the helper builds tokens the codec accepts.
  auto claims = codec().verify(sign_claims(claims_with("\"5\"", iat, exp, "2"), secret));
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->user_id, 5);
  EXPECT_EQ(claims->token_version, 2);
}

TEST(JwtClaims, SubjectMustBeAPositiveIntegerString) {
  for (const char* sub : {R"("abc")", R"("0")", R"("-3")", R"("12abc")", R"(" 12")", R"("")",
                          R"("99999999999999999999")", "5", "null", R"(["5"])"}) {
    auto claims = codec().verify(sign_claims(claims_with(sub, iat, exp, "0"), secret));
    EXPECT_FALSE(claims) << "sub " << sub;
  }
}

TEST(JwtClaims, EveryClaimIsRequired) {
  EXPECT_FALSE(codec().verify(sign_claims(claims_with("", iat, exp, "0"), secret))) << "no sub";
  EXPECT_FALSE(codec().verify(sign_claims(claims_with("\"5\"", "", exp, "0"), secret))) << "no iat";
  EXPECT_FALSE(codec().verify(sign_claims(claims_with("\"5\"", iat, "", "0"), secret))) << "no exp";
  EXPECT_FALSE(codec().verify(sign_claims(claims_with("\"5\"", iat, exp, ""), secret))) << "no ver";
}

TEST(JwtClaims, NumericClaimsMustBeNumbers) {
  EXPECT_FALSE(codec().verify(sign_claims(claims_with("\"5\"", iat, "\"" + exp + "\"", "0"), secret)));
  EXPECT_FALSE(codec().verify(sign_claims(claims_with("\"5\"", iat, exp, "\"0\""), secret)));
}

TEST(JwtClaims, ExpiryIsChecked) {
  const auto at = [](std::int64_t e) {
    return codec().verify(sign_claims(claims_with("\"5\"", iat, std::to_string(e), "0"), secret)).has_value();
  };
  EXPECT_FALSE(at(now_unix - 1));
  EXPECT_FALSE(at(now_unix));
  EXPECT_TRUE(at(now_unix + 1));
}

TEST(JwtClaims, IssuedInTheFutureIsRejectedBeyondClockSkew) {
  const auto issued = [](std::int64_t i) {
    return codec().verify(sign_claims(claims_with("\"5\"", std::to_string(i), exp, "0"), secret)).has_value();
  };
  EXPECT_TRUE(issued(now_unix + 30)) << "small clock differences between processes are fine";
  EXPECT_FALSE(issued(now_unix + 120));
  EXPECT_FALSE(issued(now_unix + 86400));
}

TEST(JwtClaims, OversizedTokenIsRejectedEvenWhenSigned) {
  auto padded = [](std::size_t n) {
    return sign_claims(claims_with("\"5\"", iat, exp, "0").insert(1, "\"pad\":\"" + std::string(n, 'p') + "\","),
                       secret);
  };
  const auto medium = padded(4000);
  ASSERT_LT(medium.size(), 8192u);
  EXPECT_TRUE(codec().verify(medium));
  const auto huge = padded(7000);
  ASSERT_GT(huge.size(), 8192u);
  EXPECT_FALSE(codec().verify(huge));
}
