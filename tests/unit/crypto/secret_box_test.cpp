// Channel secrets at rest: what one SECRET_KEY seals, only it opens, and
// any change to the stored text is an error, never a crash or garbage.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "crypto/secret_box.hpp"

using sentinel::crypto::SecretBox;

namespace {

const std::string key_a(40, 'a');
const std::string key_b(40, 'b');

}  // namespace

TEST(SecretBox, RoundTrip) {
  SecretBox box(key_a);
  for (const std::string& plain : {std::string(), std::string("123456:ABC-secret"), std::string(100000, 'x'),
                                   std::string("\0binary\xff", 8)}) {
    const auto sealed = box.seal(plain);
    EXPECT_TRUE(sealed.starts_with("v1:"));
    auto opened = box.open(sealed);
    ASSERT_TRUE(opened) << opened.error().detail;
    EXPECT_EQ(*opened, plain);
  }
}

TEST(SecretBox, SealedTextDoesNotContainThePlaintext) {
  SecretBox box(key_a);
  const std::string plain = "bot-token-that-must-not-leak";
  EXPECT_EQ(box.seal(plain).find(plain), std::string::npos);
}

TEST(SecretBox, EverySealUsesAFreshNonce) {
  SecretBox box(key_a);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(box.seal("same value"));
  EXPECT_EQ(seen.size(), 100u);
}

TEST(SecretBox, TheSameSecretKeyDerivesTheSameBoxKey) {
  const auto sealed = SecretBox(key_a).seal("kept across restarts");
  EXPECT_EQ(SecretBox(key_a).open(sealed).value(), "kept across restarts");
}

TEST(SecretBox, AnotherSecretKeyCannotOpen) {
  const auto sealed = SecretBox(key_a).seal("secret");
  auto opened = SecretBox(key_b).open(sealed);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, sentinel::core::ErrorKind::internal);
  EXPECT_NE(opened.error().detail.find("wrong SECRET_KEY"), std::string::npos) << opened.error().detail;
  EXPECT_EQ(opened.error().detail.find("secret\""), std::string::npos);
}

TEST(SecretBox, TamperedTextFailsCleanly) {
  SecretBox box(key_a);
  const auto sealed = box.seal("a value long enough to span several base64 characters");
  // Every single-character change of the base64 body: each must fail to open.
  for (std::size_t i = 3; i < sealed.size(); ++i) {
    std::string t = sealed;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    auto opened = box.open(t);
    if (opened) {
      // Only a change in base64 padding bits can decode to the same bytes.
      EXPECT_EQ(*opened, "a value long enough to span several base64 characters") << i;
    }
  }
  int failures = 0;
  for (std::size_t i = 3; i + 4 < sealed.size(); ++i) {
    std::string t = sealed;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    failures += box.open(t) ? 0 : 1;
  }
  EXPECT_EQ(failures, static_cast<int>(sealed.size()) - 7);
}

TEST(SecretBox, MalformedTextFailsCleanly) {
  SecretBox box(key_a);
  for (const std::string& bad : {std::string(), std::string("v1:"), std::string("v1:!!!!"), std::string("v2:AAAA"),
                                 std::string("plain text"), std::string("v1:AAAA"), std::string("v1:\0\0", 5)}) {
    auto opened = box.open(bad);
    EXPECT_FALSE(opened) << bad;
  }
  const auto sealed = box.seal("x");
  EXPECT_FALSE(box.open(sealed.substr(0, sealed.size() - 4)));  // truncated
}
