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

// A valid create body with one field replaced by `field_json` ("" = removed).
boost::json::value server_with(std::string_view field, std::string_view field_json) {
  auto v = body(R"({"name": "prod-db", "job_name": "node", "instance": "prod-db:9100"})");
  auto& o = v.as_object();
  o.erase(field);
  if (!field_json.empty()) o[field] = boost::json::parse(field_json);
  return v;
}

TEST(ParseServerCreate, MinimalBodyTakesDefaults) {
  auto r = parse_server_create(body(R"({"name": "prod-db", "job_name": "node", "instance": "prod-db:9100"})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->name, "prod-db");
  EXPECT_EQ(r->job_name, "node");
  EXPECT_EQ(r->instance, "prod-db:9100");
  EXPECT_TRUE(r->is_active);
  EXPECT_FALSE(r->description);
  EXPECT_FALSE(r->cadvisor_instance);
}

TEST(ParseServerCreate, ReadsEveryFieldAndAcceptsNullForOptionalStrings) {
  auto r = parse_server_create(body(R"({"name": "web", "job_name": "node", "instance": "[::1]:9100",
      "is_active": false, "description": "front", "cadvisor_instance": "web:8080"})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->instance, "[::1]:9100");
  EXPECT_FALSE(r->is_active);
  EXPECT_EQ(r->description, "front");
  EXPECT_EQ(r->cadvisor_instance, "web:8080");

  r = parse_server_create(server_with("description", "null"));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->description);
  r = parse_server_create(server_with("cadvisor_instance", "null"));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->cadvisor_instance);
}

TEST(ParseServerCreate, PreservesUnicodeAndQuotesVerbatim) {
  auto r = parse_server_create(
      body(R"({"name": "  Прод \"db\" 🚀 ", "job_name": "node", "instance": "db:9100", "description": "a\\b\n<c>"})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->name, "  Прод \"db\" 🚀 ");
  EXPECT_EQ(r->description, "a\\b\n<c>");
}

TEST(ParseServerCreate, NameIsOneTo255CharactersAndNotBlank) {
  EXPECT_THAT(errors_of(parse_server_create(server_with("name", R"("")"))),
              ElementsAre("body.name|string_too_short|String should have at least 1 character"));
  EXPECT_THAT(errors_of(parse_server_create(server_with("name", "\"" + std::string(256, 'n') + "\""))),
              ElementsAre("body.name|string_too_long|String should have at most 255 characters"));
  EXPECT_TRUE(parse_server_create(server_with("name", "\"" + std::string(255, 'n') + "\"")));
  EXPECT_THAT(errors_of(parse_server_create(server_with("name", R"(" \t ")"))),
              ElementsAre("body.name|value_error|Value error, name must not be blank"));
}

TEST(ParseServerCreate, LengthsCountCharactersNotBytes) {
  std::string name;
  for (int i = 0; i < 255; ++i) name += "é";  // 510 bytes
  auto r = parse_server_create(server_with("name", "\"" + name + "\""));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->name, name);
  EXPECT_FALSE(parse_server_create(server_with("name", "\"" + name + "é\"")).has_value());
}

TEST(ParseServerCreate, WrongTypesAndNullAreTypeErrors) {
  EXPECT_THAT(errors_of(parse_server_create(server_with("name", "123"))),
              ElementsAre("body.name|string_type|Input should be a valid string"));
  EXPECT_THAT(errors_of(parse_server_create(server_with("job_name", "null"))),
              ElementsAre("body.job_name|string_type|Input should be a valid string"));
  EXPECT_THAT(errors_of(parse_server_create(server_with("instance", R"(["a:1"])"))),
              ElementsAre("body.instance|string_type|Input should be a valid string"));
  EXPECT_THAT(errors_of(parse_server_create(server_with("description", "{}"))),
              ElementsAre("body.description|string_type|Input should be a valid string"));
}

TEST(ParseServerCreate, JobNameIsRequiredNonEmptyAndBounded) {
  EXPECT_THAT(errors_of(parse_server_create(server_with("job_name", ""))),
              ElementsAre("body.job_name|missing|Field required"));
  EXPECT_THAT(errors_of(parse_server_create(server_with("job_name", R"("")"))),
              ElementsAre("body.job_name|string_too_short|String should have at least 1 character"));
  EXPECT_THAT(errors_of(parse_server_create(server_with("job_name", "\"" + std::string(256, 'j') + "\""))),
              ElementsAre("body.job_name|string_too_long|String should have at most 255 characters"));
}

TEST(ParseServerCreate, InstanceMustBeHostPort) {
  for (const auto* bad : {R"("prod-db")", R"("prod-db:0")", R"("http://prod:9100")", R"("")", R"("a b:80")"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(errors_of(parse_server_create(server_with("instance", bad))),
                ElementsAre("body.instance|value_error|Value error, instance must be host:port"));
  }
  EXPECT_THAT(errors_of(parse_server_create(server_with("instance", "\"" + std::string(251, 'h') + ":9100\""))),
              ElementsAre("body.instance|string_too_long|String should have at most 255 characters"));
}

TEST(ParseServerCreate, CadvisorInstanceMustBeHostPortWhenGiven) {
  EXPECT_THAT(errors_of(parse_server_create(server_with("cadvisor_instance", R"("cadvisor")"))),
              ElementsAre("body.cadvisor_instance|value_error|Value error, cadvisor_instance must be host:port"));
}

TEST(ParseServerCreate, DescriptionIsAtMost2000Characters) {
  EXPECT_TRUE(parse_server_create(server_with("description", "\"" + std::string(2000, 'd') + "\"")));
  EXPECT_THAT(errors_of(parse_server_create(server_with("description", "\"" + std::string(2001, 'd') + "\""))),
              ElementsAre("body.description|string_too_long|String should have at most 2000 characters"));
}

TEST(ParseServerCreate, EveryBadFieldIsReportedTogetherInFieldOrder) {
  EXPECT_THAT(errors_of(parse_server_create(
                  body(R"({"treshold": 1, "is_active": "no", "instance": "x", "name": "", "cadvisor_instance": 5})"))),
              ElementsAre("body.name|string_too_short|String should have at least 1 character",
                          "body.job_name|missing|Field required",
                          "body.instance|value_error|Value error, instance must be host:port",
                          "body.is_active|bool_type|Input should be a valid boolean",
                          "body.cadvisor_instance|string_type|Input should be a valid string",
                          "body.treshold|extra_forbidden|Extra inputs are not permitted"));
}

TEST(ParseServerCreate, ReadOnlyFieldsAreIgnored) {
  auto v = server_with("id", "12");
  v.as_object()["created_at"] = "2026-01-01T00:00:00Z";
  v.as_object()["updated_at"] = "2026-01-01T00:00:00Z";
  EXPECT_TRUE(parse_server_create(v).has_value());
}

TEST(ParseServerPatch, DistinguishesAbsentFromNull) {
  auto r = parse_server_patch(body(R"({"description": null})"));
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->description.has_value());         // present...
  EXPECT_FALSE(r->description->has_value());       // ...and null: clears it
  EXPECT_FALSE(r->cadvisor_instance.has_value());  // absent: unchanged
  EXPECT_FALSE(r->name);
  EXPECT_FALSE(r->job_name);
  EXPECT_FALSE(r->instance);
  EXPECT_FALSE(r->is_active);

  r = parse_server_patch(body(R"({"cadvisor_instance": "host:8080", "description": "x"})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->cadvisor_instance, std::optional<std::string>("host:8080"));
  EXPECT_EQ(r->description, std::optional<std::string>("x"));
}

TEST(ParseServerPatch, ReadsEveryField) {
  auto r = parse_server_patch(body(R"({"name": "n2", "job_name": "j2", "instance": "h2:1", "is_active": false})"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->name, "n2");
  EXPECT_EQ(r->job_name, "j2");
  EXPECT_EQ(r->instance, "h2:1");
  EXPECT_EQ(r->is_active, false);
}

TEST(ParseServerPatch, NullCannotClearARequiredField) {
  EXPECT_THAT(errors_of(parse_server_patch(body(R"({"name": null, "instance": null, "is_active": null})"))),
              ElementsAre("body.name|string_type|Input should be a valid string",
                          "body.instance|string_type|Input should be a valid string",
                          "body.is_active|bool_type|Input should be a valid boolean"));
}

TEST(ParseServerPatch, ValidatesPresentFieldsAndRejectsTypos) {
  EXPECT_THAT(errors_of(parse_server_patch(body(R"({"instance": "nope", "nmae": "x"})"))),
              ElementsAre("body.instance|value_error|Value error, instance must be host:port",
                          "body.nmae|extra_forbidden|Extra inputs are not permitted"));
}

TEST(ServerToJson, HasExactlyTheContractFields) {
  Server s;
  s.id = 4;
  s.name = "Прод \"db\"";
  s.job_name = "node";
  s.instance = "db:9100";
  s.is_active = true;
  s.created_at = core::from_unix(0);
  s.updated_at = core::from_unix(1795472666);
  auto v = to_json(s);
  EXPECT_EQ(test::keys_of(v), (std::set<std::string>{"id", "name", "job_name", "instance", "is_active", "description",
                                                     "cadvisor_instance", "created_at", "updated_at"}));
  EXPECT_EQ(v.at("name").as_string(), "Прод \"db\"");
  EXPECT_TRUE(v.at("description").is_null());
  EXPECT_TRUE(v.at("cadvisor_instance").is_null());
  EXPECT_EQ(v.at("created_at").as_string(), "1970-01-01T00:00:00Z");
  EXPECT_EQ(v.at("updated_at").as_string(), "2026-11-23T22:24:26Z");

  s.description = "d";
  s.cadvisor_instance = "db:8080";
  v = to_json(s);
  EXPECT_EQ(v.at("description").as_string(), "d");
  EXPECT_EQ(v.at("cadvisor_instance").as_string(), "db:8080");
}

TEST(ServerToJson, ARoundTripThroughPatchIsAccepted) {
  Server s;
  s.id = 1;
  s.name = "web";
  s.job_name = "node";
  s.instance = "web:9100";
  s.description = "front";
  auto r = parse_server_patch(boost::json::parse(boost::json::serialize(to_json(s))));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->name, "web");
  EXPECT_EQ(r->description, std::optional<std::string>("front"));
  ASSERT_TRUE(r->cadvisor_instance.has_value());
  EXPECT_FALSE(r->cadvisor_instance->has_value());
}

}  // namespace
}  // namespace sentinel::domain
