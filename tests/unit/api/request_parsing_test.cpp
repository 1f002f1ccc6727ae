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

namespace {

std::vector<std::string> loc_of(const core::Error& e) { return e.fields.empty() ? std::vector<std::string>{} : e.fields[0].loc; }

}  // namespace

// Nothing malformed reaches Prometheus: a time is finite and within 1970..9999.
TEST(RequestParsing, UnixSecondsMustBeFiniteAndWithin1970To9999) {
  EXPECT_EQ(query_unix_seconds(with_query({{"time", "1700000000.5"}}), "time").value(), 1700000000.5);
  EXPECT_EQ(query_unix_seconds(with_query({{"time", "2026-11-23T22:24:26Z"}}), "time").value(), 1795472666.0);
  EXPECT_EQ(query_unix_seconds(with_query({{"time", "0"}}), "time").value(), 0.0);
  EXPECT_EQ(query_unix_seconds(with_query({{"time", "253402300799"}}), "time").value(), 253402300799.0);
  EXPECT_FALSE(query_unix_seconds(with_query({}), "time").value().has_value());
  for (const char* bad : {"1e300", "1e20", "-1e308", "nan", "NaN", "inf", "-inf", "Infinity", "-1", "-0.001",
                          "253402300800", "1e-400x", "", "1969-12-31T23:59:59Z", "0x10", "1_000"}) {
    auto r = query_unix_seconds(with_query({{"time", bad}}), "time");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, core::ErrorKind::invalid) << bad;
    EXPECT_EQ(loc_of(r.error()), (std::vector<std::string>{"query", "time"})) << bad;
    EXPECT_FALSE(r.error().fields[0].msg.empty());
  }
  auto start = query_unix_seconds(with_query({{"start", "1e20"}}), "start");
  ASSERT_FALSE(start);
  EXPECT_EQ(loc_of(start.error()), (std::vector<std::string>{"query", "start"}));
  EXPECT_EQ(start.error().fields[0].type, "datetime_range");
}

TEST(RequestParsing, DurationsArePositiveAndBounded) {
  const double day = 86400;
  EXPECT_EQ(query_duration(with_query({{"step", "15"}}), "step", day).value(), 15.0);
  EXPECT_EQ(query_duration(with_query({{"step", "5m"}}), "step", day).value(), 300.0);
  EXPECT_EQ(query_duration(with_query({{"step", "500ms"}}), "step", day).value(), 0.5);
  EXPECT_EQ(query_duration(with_query({{"step", "1d"}}), "step", day).value(), day);
  for (const char* bad : {"0", "-5", "0s", "nan", "inf", "infs", "1e300", "1e300w", "2d", "86401", "", "s", "5x"}) {
    auto r = query_duration(with_query({{"step", bad}}), "step", day);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(loc_of(r.error()), (std::vector<std::string>{"query", "step"})) << bad;
  }
}

TEST(RequestParsing, QueryTimeIsWithin1970To9999) {
  EXPECT_EQ(core::to_unix(query_time(with_query({{"since", "1700000000"}}), "since").value().value()), 1700000000);
  EXPECT_TRUE(query_time(with_query({{"since", "9999-12-31T23:59:59Z"}}), "since"));
  for (const char* bad : {"-1", "253402300800", "9223372036854775807", "-9223372036854775808", "1969-12-31",
                          "0000-01-01T00:00:00Z", "1e20", "nan"}) {
    auto r = query_time(with_query({{"since", bad}}), "since");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(loc_of(r.error()), (std::vector<std::string>{"query", "since"})) << bad;
  }
}

TEST(RequestParsing, LimitAndSkipExtremes) {
  auto huge = paging(with_query({{"skip", "99999999999999999999"}, {"limit", "-9223372036854775808"}}));
  ASSERT_FALSE(huge);
  ASSERT_EQ(huge.error().fields.size(), 2u);
  EXPECT_EQ(huge.error().fields[0].loc, (std::vector<std::string>{"query", "skip"}));
  EXPECT_EQ(huge.error().fields[1].loc, (std::vector<std::string>{"query", "limit"}));
  EXPECT_FALSE(paging(with_query({{"limit", "0"}})));
  EXPECT_FALSE(paging(with_query({{"limit", "1e3"}})));
}
