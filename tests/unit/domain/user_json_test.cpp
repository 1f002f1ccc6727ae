#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "domain/json.hpp"
#include "domain_test_support.hpp"

namespace sentinel::domain {
namespace {

using test::body;
using test::errors_of;
using ::testing::ElementsAre;

TEST(ParseUserCreate, MinimalBodyTakesDefaultsAndLowerCasesTheEmail) {
  auto r = parse_user_create(body(R"({"email": "Admin@Example.COM", "password": "correct horse"})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->email, "admin@example.com");
  EXPECT_EQ(r->password, "correct horse");
  EXPECT_TRUE(r->is_active);
  EXPECT_FALSE(r->is_superuser);
}

TEST(ParseUserCreate, ReadsEveryField) {
  auto r = parse_user_create(
      body(R"({"email": "ops@example.com", "password": "12345678", "is_active": false, "is_superuser": true})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->is_active);
  EXPECT_TRUE(r->is_superuser);
}

TEST(ParseUserCreate, MissingFieldsAreAllReportedInFieldOrder) {
  EXPECT_THAT(errors_of(parse_user_create(body("{}"))),
              ElementsAre("body.email|missing|Field required", "body.password|missing|Field required"));
}

TEST(ParseUserCreate, RejectsAnInvalidEmail) {
  for (const auto* email : {R"("not-an-email")", R"("a b@example.com")", R"("")", "42", "null"}) {
    SCOPED_TRACE(email);
    const auto r = parse_user_create(body(std::string(R"({"password": "12345678", "email": )") + email + "}"));
    ASSERT_FALSE(r.has_value());
    ASSERT_EQ(r.error().fields.size(), 1U);
    EXPECT_EQ(r.error().fields[0].loc, (std::vector<std::string>{"body", "email"}));
  }
  EXPECT_THAT(errors_of(parse_user_create(body(R"({"email": "nope", "password": "12345678"})"))),
              ElementsAre("body.email|value_error|value is not a valid email address"));
  EXPECT_THAT(errors_of(parse_user_create(body(R"({"email": 42, "password": "12345678"})"))),
              ElementsAre("body.email|string_type|Input should be a valid string"));
}

TEST(ParseUserCreate, PasswordLengthIsCountedInCharactersFrom8To256) {
  EXPECT_THAT(errors_of(parse_user_create(body(R"({"email": "a@b.io", "password": "1234567"})"))),
              ElementsAre("body.password|string_too_short|String should have at least 8 characters"));
  const std::string long_password(257, 'p');
  EXPECT_THAT(errors_of(parse_user_create(body(R"({"email": "a@b.io", "password": ")" + long_password + "\"}"))),
              ElementsAre("body.password|string_too_long|String should have at most 256 characters"));
  EXPECT_TRUE(parse_user_create(body(R"({"email": "a@b.io", "password": ")" + std::string(256, 'p') + "\"}")));
  // 7 Cyrillic letters are 14 bytes but still too short; 8 of them are enough.
  EXPECT_FALSE(parse_user_create(body(R"({"email": "a@b.io", "password": "пароль1"})")).has_value());
  auto r = parse_user_create(body(R"({"email": "a@b.io", "password": "пароль12"})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->password, "пароль12");
}

TEST(ParseUserCreate, BooleansMustBeJsonBooleans) {
  EXPECT_THAT(errors_of(parse_user_create(
                  body(R"({"email": "a@b.io", "password": "12345678", "is_active": "yes", "is_superuser": 1})"))),
              ElementsAre("body.is_active|bool_type|Input should be a valid boolean",
                          "body.is_superuser|bool_type|Input should be a valid boolean"));
  EXPECT_THAT(errors_of(parse_user_create(body(R"({"email": "a@b.io", "password": "12345678", "is_active": null})"))),
              ElementsAre("body.is_active|bool_type|Input should be a valid boolean"));
}

TEST(ParseUserCreate, UnknownKeysAreForbiddenButReadOnlyOnesIgnored) {
  EXPECT_THAT(errors_of(parse_user_create(
                  body(R"({"email": "a@b.io", "password": "12345678", "roles": "admin", "password_hash": "x"})"))),
              ElementsAre("body.roles|extra_forbidden|Extra inputs are not permitted",
                          "body.password_hash|extra_forbidden|Extra inputs are not permitted"));
  EXPECT_TRUE(parse_user_create(body(
      R"({"email": "a@b.io", "password": "12345678", "id": 7, "created_at": "2026-01-01T00:00:00Z", "updated_at": null})")));
}

TEST(ParseUserCreate, RoleIsOneOfThreeAndAgreesWithIsSuperuser) {
  EXPECT_EQ(parse_user_create(body(R"({"email": "a@b.io", "password": "12345678", "role": "viewer"})"))->role,
            Role::viewer);
  EXPECT_EQ(requested_role(*parse_user_create(body(R"({"email": "a@b.io", "password": "12345678"})"))), Role::editor);
  EXPECT_EQ(requested_role(*parse_user_create(
                body(R"({"email": "a@b.io", "password": "12345678", "is_superuser": true})"))),
            Role::admin);
  EXPECT_FALSE(parse_user_create(body(R"({"email": "a@b.io", "password": "12345678", "role": "root"})")));
  EXPECT_FALSE(parse_user_create(
      body(R"({"email": "a@b.io", "password": "12345678", "role": "viewer", "is_superuser": true})")));
}

TEST(ParseUserCreate, ExtraKeysAreListedAfterFieldErrors) {
  EXPECT_THAT(
      errors_of(parse_user_create(body(R"({"admin": true, "email": "bad"})"))),
      ElementsAre("body.email|value_error|value is not a valid email address", "body.password|missing|Field required",
                  "body.admin|extra_forbidden|Extra inputs are not permitted"));
}

TEST(ParseUserPatch, EmptyBodyChangesNothing) {
  auto r = parse_user_patch(body("{}"));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->email);
  EXPECT_FALSE(r->password);
  EXPECT_FALSE(r->is_active);
  EXPECT_FALSE(r->is_superuser);
}

TEST(ParseUserPatch, ReadsPresentFieldsOnly) {
  auto r = parse_user_patch(body(R"({"email": "New@Example.com", "is_active": false})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->email, "new@example.com");
  EXPECT_FALSE(r->password);
  EXPECT_EQ(r->is_active, false);
  EXPECT_FALSE(r->is_superuser);
}

TEST(ParseUserPatch, ValidatesLikeCreateAndNullIsNotAValue) {
  EXPECT_THAT(errors_of(parse_user_patch(
                  body(R"({"email": null, "password": "short", "is_superuser": "true", "token_version": 3})"))),
              ElementsAre("body.email|string_type|Input should be a valid string",
                          "body.password|string_too_short|String should have at least 8 characters",
                          "body.is_superuser|bool_type|Input should be a valid boolean",
                          "body.token_version|extra_forbidden|Extra inputs are not permitted"));
}

TEST(UserToJson, HasExactlyThePublicFieldsAndNeverTheHash) {
  User u;
  u.id = 3;
  u.email = "ops@example.com";
  u.password_hash = "$argon2id$v=19$secret";
  u.is_active = false;
  u.role = Role::admin;
  u.token_version = 9;
  u.created_at = core::from_unix(1795472666);
  const auto v = to_json(u);
  EXPECT_EQ(test::keys_of(v), (std::set<std::string>{"id", "email", "is_active", "is_superuser", "role", "created_at"}));
  EXPECT_EQ(v.at("role").as_string(), "admin");
  EXPECT_EQ(v.at("id").as_int64(), 3);
  EXPECT_EQ(v.at("email").as_string(), "ops@example.com");
  EXPECT_EQ(v.at("is_active").as_bool(), false);
  EXPECT_EQ(v.at("is_superuser").as_bool(), true);
  EXPECT_EQ(v.at("created_at").as_string(), "2026-11-23T22:24:26Z");
  EXPECT_EQ(boost::json::serialize(v).find("argon2"), std::string::npos);
}

}  // namespace
}  // namespace sentinel::domain
