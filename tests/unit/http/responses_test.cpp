#include "http/responses.hpp"

#include <boost/json/object.hpp>

#include <gtest/gtest.h>

using namespace sentinel;
using namespace sentinel::http;

TEST(Responses, EveryErrorKindMapsToItsStatus) {
  EXPECT_EQ(status_of(core::ErrorKind::invalid), 422);
  EXPECT_EQ(status_of(core::ErrorKind::unauthorized), 401);
  EXPECT_EQ(status_of(core::ErrorKind::forbidden), 403);
  EXPECT_EQ(status_of(core::ErrorKind::not_found), 404);
  EXPECT_EQ(status_of(core::ErrorKind::conflict), 409);
  EXPECT_EQ(status_of(core::ErrorKind::payload_too_large), 413);
  EXPECT_EQ(status_of(core::ErrorKind::unsupported_media_type), 415);
  EXPECT_EQ(status_of(core::ErrorKind::rate_limited), 429);
  EXPECT_EQ(status_of(core::ErrorKind::unavailable), 503);
  EXPECT_EQ(status_of(core::ErrorKind::timeout), 504);
}

TEST(Responses, ValidationErrorListsEveryField) {
  auto r = error_response(core::Error::invalid({{{"body", "name"}, "Field required", "missing"},
                                                {{"body", "threshold"}, "Input should be a valid number", "float_type"}}));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body,
            R"({"detail":[{"loc":["body","name"],"msg":"Field required","type":"missing"},)"
            R"({"loc":["body","threshold"],"msg":"Input should be a valid number","type":"float_type"}]})");
}

// A 422 about the request as a whole (QUERY_MAX_BYTES) says so in one string.
TEST(Responses, ValidationErrorWithoutFieldsIsOneSentence) {
  auto r = error_response(core::Error{core::ErrorKind::invalid, "result too large; narrow the query", {}, 0});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body, R"({"detail":"result too large; narrow the query"})");
}

TEST(Responses, UnauthorizedCarriesBearerChallenge) {
  auto r = error_response(core::Error::unauthorized());
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, R"({"detail":"Could not validate credentials"})");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "WWW-Authenticate");
  EXPECT_EQ(r.headers[0].second, "Bearer");
}

TEST(Responses, RateLimitedCarriesRetryAfter) {
  auto r = error_response(core::Error::rate_limited(42));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
  EXPECT_EQ(r.headers[0].second, "42");
}

TEST(Responses, InternalErrorHidesDetail) {
  auto r = error_response(core::Error::internal("SQLITE_CORRUPT at table users"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"detail":"Internal Server Error"})");
}

TEST(Responses, NumbersAreWrittenTheWayClientsExpect) {
  auto r = json_response(200, boost::json::object{{"threshold", 90.0}, {"value", 12.5}, {"count", 3},
                                                  {"tiny", 1e-7}, {"name", "a\"b"}});
  EXPECT_EQ(r.body, R"({"threshold":90.0,"value":12.5,"count":3,"tiny":1e-07,"name":"a\"b"})");
}

TEST(Responses, ExtremeNumbersAreWrittenWhole) {
  auto r = json_response(200, boost::json::object{{"max", 1.7976931348623157e308}, {"min", -2.2250738585072014e-308},
                                                  {"denormal", 5e-324}, {"big", 1e300}});
  EXPECT_EQ(r.body, R"({"max":1.7976931348623157e+308,"min":-2.2250738585072014e-308,"denormal":5e-324,"big":1e+300})");
}
