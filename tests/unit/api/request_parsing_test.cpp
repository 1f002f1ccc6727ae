#include "api/request_parsing.hpp"

#include <gtest/gtest.h>

#include "api/authenticated.hpp"

using namespace sentinel;
using namespace sentinel::api;

namespace {

http::Request with_query(http::Fields q) {
  http::Request r;
  r.query = std::move(q);
  return r;
}

}  // namespace

TEST(RequestParsing, PagingDefaultsAndBounds) {
  auto def = paging(with_query({}));
  ASSERT_TRUE(def);
  EXPECT_EQ(def->skip, 0);
  EXPECT_EQ(def->limit, 100);
  auto ok = paging(with_query({{"skip", "5"}, {"limit", "1000"}}));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->limit, 1000);
}

TEST(RequestParsing, PagingReportsEveryBadParameter) {
  auto bad = paging(with_query({{"skip", "-1"}, {"limit", "1001"}}));
  ASSERT_FALSE(bad);
  ASSERT_EQ(bad.error().fields.size(), 2u);
  EXPECT_EQ(bad.error().fields[0].loc, (std::vector<std::string>{"query", "skip"}));
  EXPECT_EQ(bad.error().fields[1].loc, (std::vector<std::string>{"query", "limit"}));
  EXPECT_EQ(bad.error().fields[1].type, "less_than_equal");
  auto text = paging(with_query({{"limit", "ten"}}));
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().fields[0].type, "int_parsing");
}

TEST(RequestParsing, PathIdMustBeAnInteger) {
  http::Request r;
  r.path_params = {{"server_id", "12"}};
  EXPECT_EQ(path_id(r, "server_id").value(), 12);
  r.path_params = {{"server_id", "12abc"}};
  auto bad = path_id(r, "server_id");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, core::ErrorKind::invalid);
  EXPECT_EQ(bad.error().fields[0].loc, (std::vector<std::string>{"path", "server_id"}));
  r.path_params = {{"server_id", "99999999999999999999999"}};
  EXPECT_FALSE(path_id(r, "server_id"));
}

TEST(RequestParsing, QueryBoolAcceptsCommonSpellings) {
  EXPECT_EQ(query_bool(with_query({{"is_active", "true"}}), "is_active").value(), true);
  EXPECT_EQ(query_bool(with_query({{"is_active", "0"}}), "is_active").value(), false);
  EXPECT_FALSE(query_bool(with_query({}), "is_active").value().has_value());
  EXPECT_FALSE(query_bool(with_query({{"is_active", "maybe"}}), "is_active"));
}

TEST(RequestParsing, JsonBodyRequiresJsonContentType) {
  http::Request r;
  r.body = R"({"a":1})";
  r.headers = {{"Content-Type", "text/plain"}};
  auto bad = json_body(r);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, core::ErrorKind::unsupported_media_type);
  r.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  EXPECT_TRUE(json_body(r));
}

TEST(RequestParsing, MalformedJsonIsA422NotAnException) {
  http::Request r;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = R"({"name": )";
  auto bad = json_body(r);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, core::ErrorKind::invalid);
  EXPECT_EQ(bad.error().fields[0].type, "json_invalid");
}

TEST(RequestParsing, BearerTokenExtraction) {
  http::Request r;
  EXPECT_FALSE(bearer_token(r));
  r.headers = {{"Authorization", "Basic abc"}};
  EXPECT_FALSE(bearer_token(r));
  r.headers = {{"Authorization", "bearer  tok.en.x "}};
  EXPECT_EQ(bearer_token(r).value_or(""), "tok.en.x");
  r.headers = {{"Authorization", "Bearer "}};
  EXPECT_FALSE(bearer_token(r));
}
