#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>

#include "domain/json.hpp"
#include "domain_test_support.hpp"

namespace sentinel::domain {
namespace {

using test::body;
using test::errors_of;
using ::testing::ElementsAre;
using ::testing::StartsWith;

TEST(ParseJsonBody, ParsesAnObjectKeepingUnicodeAndQuotes) {
  auto v = parse_json_body(R"({"name": "Прод \"db\" 🚀", "n": 1})");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->at("name").as_string(), "Прод \"db\" 🚀");
  EXPECT_EQ(v->at("n").as_int64(), 1);
}

TEST(ParseJsonBody, AcceptsAnyJsonValueLeavingTheShapeToTheResourceParser) {
  ASSERT_TRUE(parse_json_body("[1, 2]").has_value());
  ASSERT_TRUE(parse_json_body("null").has_value());
  ASSERT_TRUE(parse_json_body("  \"x\"  ").has_value());
}

TEST(ParseJsonBody, EmptyBodyIsOneJsonInvalidErrorAtBody) {
  EXPECT_THAT(errors_of(parse_json_body("")), ElementsAre("body|json_invalid|JSON decode error: incomplete JSON"));
}

class MalformedJson : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedJson, IsRejectedWithOneJsonInvalidError) {
  const auto r = parse_json_body(GetParam());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, core::ErrorKind::invalid);
  ASSERT_EQ(r.error().fields.size(), 1U);
  const auto& e = r.error().fields[0];
  EXPECT_EQ(e.loc, std::vector<std::string>{"body"});
  EXPECT_EQ(e.type, "json_invalid");
  EXPECT_THAT(e.msg, StartsWith("JSON decode error: "));
  EXPECT_GT(e.msg.size(), std::string("JSON decode error: ").size());
}

INSTANTIATE_TEST_SUITE_P(Variants, MalformedJson,
                         ::testing::Values("   ", "{", "{\"name\": }", "{}x", "{} {}", "[1,]", "{'a': 1}",
                                           "{\"a\": 01}", "NaN", "{\"a\": Infinity}", "\"\xff\xfe\"",
                                           "{\"a\": \"unterminated}", "{\"a\" 1}", "nul"));

TEST(ParseJsonBody, TrailingGarbageIsNamed) {
  EXPECT_THAT(errors_of(parse_json_body("{\"a\": 1} trailing")),
              ElementsAre("body|json_invalid|JSON decode error: extra data"));
}

TEST(ParseJsonBody, NestingUpTo64LevelsIsAccepted) {
  const std::string doc = std::string(64, '[') + std::string(64, ']');
  EXPECT_TRUE(parse_json_body(doc).has_value());
}

TEST(ParseJsonBody, NestingDeeperThan64LevelsIsRejected) {
  const std::string doc = std::string(65, '[') + std::string(65, ']');
  EXPECT_THAT(errors_of(parse_json_body(doc)), ElementsAre("body|json_invalid|JSON decode error: too deep"));
}

TEST(ParseJsonBody, HostileNestingIsRejectedWithoutExhaustingTheStack) {
  const std::string doc = std::string(1'000'000, '[');
  EXPECT_FALSE(parse_json_body(doc).has_value());
}

// Every resource parser wants an object: anything else is pydantic's
// model_attributes_type at loc ["body"].
TEST(ResourceParsers, RejectANonObjectBody) {
  const std::string expected =
      "body|model_attributes_type|Input should be a valid dictionary or object to extract fields from";
  for (const auto* text : {"[]", "null", "\"text\"", "42", "true"}) {
    SCOPED_TRACE(text);
    const auto v = body(text);
    EXPECT_THAT(errors_of(parse_user_create(v)), ElementsAre(expected));
    EXPECT_THAT(errors_of(parse_user_patch(v)), ElementsAre(expected));
    EXPECT_THAT(errors_of(parse_server_create(v)), ElementsAre(expected));
    EXPECT_THAT(errors_of(parse_server_patch(v)), ElementsAre(expected));
    EXPECT_THAT(errors_of(parse_alert_rule_create(v)), ElementsAre(expected));
    EXPECT_THAT(errors_of(parse_alert_rule_patch(v)), ElementsAre(expected));
    EXPECT_THAT(errors_of(parse_silence_create(v)), ElementsAre(expected));
  }
}

}  // namespace
}  // namespace sentinel::domain
