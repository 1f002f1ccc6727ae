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

TEST(ParseSilenceCreate, MinimalBodyMatchesEverythingFromNow) {
  auto r = parse_silence_create(body(R"({"ends_at": "2026-11-24T00:00:00Z"})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->server_id);
  EXPECT_FALSE(r->rule_id);
  EXPECT_FALSE(r->starts_at);  // the caller fills in "now"
  EXPECT_EQ(r->ends_at, *core::parse_iso8601("2026-11-24T00:00:00Z"));
  EXPECT_EQ(r->comment, "");
}

TEST(ParseSilenceCreate, ReadsEveryFieldAndConvertsOffsetsToUtc) {
  auto r = parse_silence_create(body(R"({"server_id": 2, "rule_id": 5, "starts_at": "2026-11-23T22:00:00+02:00",
      "ends_at": "2026-11-23T23:30:00.250Z", "comment": "maintenance «db» \"window\""})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->server_id, 2);
  EXPECT_EQ(r->rule_id, 5);
  ASSERT_TRUE(r->starts_at);
  EXPECT_EQ(core::format_iso8601(*r->starts_at), "2026-11-23T20:00:00Z");
  EXPECT_EQ(core::format_iso8601(r->ends_at), "2026-11-23T23:30:00Z");
  EXPECT_EQ(r->comment, "maintenance «db» \"window\"");
}

TEST(ParseSilenceCreate, NullIdsAndStartMeanUnset) {
  auto r = parse_silence_create(
      body(R"({"server_id": null, "rule_id": null, "starts_at": null, "ends_at": "2026-11-24T00:00:00Z"})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->server_id);
  EXPECT_FALSE(r->rule_id);
  EXPECT_FALSE(r->starts_at);
}

TEST(ParseSilenceCreate, EndsAtIsARequiredDatetime) {
  EXPECT_THAT(errors_of(parse_silence_create(body("{}"))), ElementsAre("body.ends_at|missing|Field required"));
  EXPECT_THAT(errors_of(parse_silence_create(body(R"({"ends_at": "tomorrow"})"))),
              ElementsAre("body.ends_at|datetime_parsing|Input should be a valid datetime"));
  EXPECT_THAT(errors_of(parse_silence_create(body(R"({"ends_at": "2026-02-30T00:00:00Z"})"))),
              ElementsAre("body.ends_at|datetime_parsing|Input should be a valid datetime"));
  EXPECT_THAT(errors_of(parse_silence_create(body(R"({"ends_at": 1795472666})"))),
              ElementsAre("body.ends_at|datetime_type|Input should be a valid datetime"));
  EXPECT_THAT(errors_of(parse_silence_create(body(R"({"ends_at": null})"))),
              ElementsAre("body.ends_at|datetime_type|Input should be a valid datetime"));
}

TEST(ParseSilenceCreate, EndsAtMustBeAfterStartsAt) {
  const std::string expected = "body.ends_at|value_error|Value error, ends_at must be after starts_at";
  EXPECT_THAT(errors_of(parse_silence_create(
                  body(R"({"starts_at": "2026-11-23T12:00:00Z", "ends_at": "2026-11-23T11:00:00Z"})"))),
              ElementsAre(expected));
  EXPECT_THAT(errors_of(parse_silence_create(
                  body(R"({"starts_at": "2026-11-23T12:00:00Z", "ends_at": "2026-11-23T12:00:00Z"})"))),
              ElementsAre(expected));
  EXPECT_TRUE(
      parse_silence_create(body(R"({"starts_at": "2026-11-23T12:00:00Z", "ends_at": "2026-11-23T12:00:01Z"})")));
}

TEST(ParseSilenceCreate, IdsArePositiveIntegers) {
  EXPECT_THAT(errors_of(parse_silence_create(body(R"({"server_id": 0, "rule_id": "3", "ends_at": "2026-11-24"})"))),
              ElementsAre("body.server_id|greater_than_equal|Input should be greater than or equal to 1",
                          "body.rule_id|int_type|Input should be a valid integer"));
}

TEST(ParseSilenceCreate, CommentIsAStringOfAtMost2000Characters) {
  EXPECT_TRUE(parse_silence_create(body(R"({"ends_at": "2026-11-24", "comment": ")" + std::string(2000, 'c') + "\"}")));
  EXPECT_THAT(errors_of(parse_silence_create(
                  body(R"({"ends_at": "2026-11-24", "comment": ")" + std::string(2001, 'c') + "\"}"))),
              ElementsAre("body.comment|string_too_long|String should have at most 2000 characters"));
  EXPECT_THAT(errors_of(parse_silence_create(body(R"({"ends_at": "2026-11-24", "comment": null})"))),
              ElementsAre("body.comment|string_type|Input should be a valid string"));
}

TEST(ParseSilenceCreate, AllErrorsTogetherThenExtrasButReadOnlyIgnored) {
  EXPECT_THAT(
      errors_of(parse_silence_create(
          body(R"({"id": 1, "created_by": 2, "created_at": "x", "reason": "r", "starts_at": "soon", "comment": 5})"))),
      ElementsAre("body.starts_at|datetime_parsing|Input should be a valid datetime",
                  "body.ends_at|missing|Field required", "body.comment|string_type|Input should be a valid string",
                  "body.reason|extra_forbidden|Extra inputs are not permitted"));
}

TEST(SilenceToJson, HasExactlyTheContractFields) {
  Silence s;
  s.id = 6;
  s.rule_id = 4;
  s.starts_at = core::from_unix(1795472666);
  s.ends_at = core::from_unix(1795476266);
  s.comment = "deploy";
  s.created_by = 1;
  s.created_at = core::from_unix(1795472666);
  const auto v = to_json(s);
  EXPECT_EQ(test::keys_of(v), (std::set<std::string>{"id", "server_id", "rule_id", "starts_at", "ends_at", "comment",
                                                     "created_by", "created_at"}));
  EXPECT_EQ(v.at("id").as_int64(), 6);
  EXPECT_TRUE(v.at("server_id").is_null());
  EXPECT_EQ(v.at("rule_id").as_int64(), 4);
  EXPECT_EQ(v.at("starts_at").as_string(), "2026-11-23T22:24:26Z");
  EXPECT_EQ(v.at("ends_at").as_string(), "2026-11-23T23:24:26Z");
  EXPECT_EQ(v.at("comment").as_string(), "deploy");
  EXPECT_EQ(v.at("created_by").as_int64(), 1);
  EXPECT_EQ(v.at("created_at").as_string(), "2026-11-23T22:24:26Z");
}

}  // namespace
}  // namespace sentinel::domain
