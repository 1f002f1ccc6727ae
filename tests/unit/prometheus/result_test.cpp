#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "prometheus/result.hpp"

namespace sentinel::prometheus {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;

// A success envelope around `data`.
std::string success(const std::string& data) { return R"({"status":"success","data":)" + data + "}"; }

std::string vector_of_value(const std::string& value) {
  return success(R"({"resultType":"vector","result":[{"metric":{},"value":[1700000000,)" + value + "]}]}");
}

// The value of a one-sample vector whose sample value is written `value`.
double single_value(const std::string& value) {
  const auto r = parse_query_response(200, vector_of_value(value));
  EXPECT_TRUE(r.has_value()) << value << ": " << (r ? "" : r.error().message);
  if (!r || r->vector.size() != 1) return -12345;
  return r->vector[0].point.value;
}

QueryErrorKind error_kind(int status, const std::string& body) {
  const auto r = parse_query_response(status, body);
  EXPECT_FALSE(r.has_value()) << body;
  return r ? QueryErrorKind::internal : r.error().kind;
}

TEST(ParseQueryResponse, ReadsAVector) {
  const auto r = parse_query_response(200, R"({
    "status": "success",
    "data": {
      "resultType": "vector",
      "result": [
        {"metric": {"__name__": "up", "job": "node", "instance": "10.0.0.5:9100"}, "value": [1435781451.781, "1"]},
        {"metric": {"__name__": "up", "job": "node", "instance": "10.0.0.6:9100"}, "value": [1435781451.781, "0"]}
      ]
    }
  })");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->type, ResultType::vector);
  ASSERT_EQ(r->vector.size(), 2U);
  EXPECT_THAT(r->vector[0].labels,
              ElementsAre(Pair("__name__", "up"), Pair("instance", "10.0.0.5:9100"), Pair("job", "node")));
  EXPECT_DOUBLE_EQ(r->vector[0].point.timestamp, 1435781451.781);
  EXPECT_EQ(r->vector[0].point.value, 1.0);
  EXPECT_EQ(label_value(r->vector[1].labels, "instance"), "10.0.0.6:9100");
  EXPECT_EQ(r->vector[1].point.value, 0.0);
  EXPECT_THAT(r->matrix, IsEmpty());
  EXPECT_THAT(r->warnings, IsEmpty());
}

TEST(ParseQueryResponse, ReadsAMatrix) {
  const auto r = parse_query_response(200, success(R"({"resultType":"matrix","result":[
      {"metric":{"instance":"a:9100"},"values":[[1700000000,"1.5"],[1700000015,"2.5"],[1700000030.5,"-3"]]},
      {"metric":{"instance":"b:9100"},"values":[[1700000000,"7"]]}]})"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->type, ResultType::matrix);
  ASSERT_EQ(r->matrix.size(), 2U);
  EXPECT_EQ(label_value(r->matrix[0].labels, "instance"), "a:9100");
  ASSERT_EQ(r->matrix[0].points.size(), 3U);
  EXPECT_EQ(r->matrix[0].points[0].timestamp, 1700000000.0);
  EXPECT_EQ(r->matrix[0].points[0].value, 1.5);
  EXPECT_EQ(r->matrix[0].points[1].timestamp, 1700000015.0);
  EXPECT_EQ(r->matrix[0].points[2].timestamp, 1700000030.5);
  EXPECT_EQ(r->matrix[0].points[2].value, -3.0);
  ASSERT_EQ(r->matrix[1].points.size(), 1U);
  EXPECT_EQ(r->matrix[1].points[0].value, 7.0);
  EXPECT_THAT(r->vector, IsEmpty());
}

TEST(ParseQueryResponse, ReadsAnEmptyMatrixSeriesListAndAnEmptyVector) {
  const auto m = parse_query_response(200, success(R"({"resultType":"matrix","result":[]})"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, ResultType::matrix);
  EXPECT_THAT(m->matrix, IsEmpty());

  const auto v = parse_query_response(200, success(R"({"resultType":"vector","result":[]})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->type, ResultType::vector);
  EXPECT_THAT(v->vector, IsEmpty());
}

TEST(ParseQueryResponse, ReadsAScalar) {
  const auto r = parse_query_response(200, success(R"({"resultType":"scalar","result":[1700000000.25,"42.5"]})"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->type, ResultType::scalar);
  EXPECT_EQ(r->scalar.timestamp, 1700000000.25);
  EXPECT_EQ(r->scalar.value, 42.5);
}

TEST(ParseQueryResponse, ReadsAString) {
  const auto r =
      parse_query_response(200, success(R"({"resultType":"string","result":[1700000000,"hello \"world\" ü"]})"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->type, ResultType::string);
  EXPECT_EQ(r->string_value, "hello \"world\" ü");
  EXPECT_EQ(r->scalar.timestamp, 1700000000.0);
}

TEST(ParseQueryResponse, KeepsNaNAndInfinities) {
  EXPECT_TRUE(std::isnan(single_value(R"("NaN")")));
  EXPECT_EQ(single_value(R"("+Inf")"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(single_value(R"("Inf")"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(single_value(R"("-Inf")"), -std::numeric_limits<double>::infinity());
}

TEST(ParseQueryResponse, ParsesValuesExactly) {
  EXPECT_EQ(single_value(R"("0.1")"), 0.1);
  EXPECT_EQ(single_value(R"("3.0000000000000004")"), 3.0000000000000004);
  EXPECT_EQ(single_value(R"("1e-7")"), 1e-7);
  EXPECT_EQ(single_value(R"("123456789012345680000")"), 123456789012345680000.0);
}

TEST(ParseQueryResponse, ReadsNegativeValues) {
  EXPECT_EQ(single_value(R"("-3.5")"), -3.5);
  EXPECT_EQ(single_value(R"("-1e-300")"), -1e-300);
  const double negative_zero = single_value(R"("-0")");
  EXPECT_EQ(negative_zero, 0.0);
  EXPECT_TRUE(std::signbit(negative_zero));
}

TEST(ParseQueryResponse, ReadsHugeValues) {
  // Go's FormatFloat(v, 'f', -1, 64) writes DBL_MAX as its 17 shortest
  // digits padded with zeros to 309.
  const std::string dbl_max_digits = "17976931348623157" + std::string(292, '0');
  EXPECT_EQ(single_value('"' + dbl_max_digits + '"'), std::numeric_limits<double>::max());
  EXPECT_EQ(single_value(R"("1.7976931348623157e+308")"), std::numeric_limits<double>::max());
  EXPECT_EQ(single_value(R"("-1.7976931348623157e+308")"), -std::numeric_limits<double>::max());
  EXPECT_EQ(single_value(R"("5e-324")"), std::numeric_limits<double>::denorm_min());
}

TEST(ParseQueryResponse, RejectsValuesOutsideTheDoubleRange) {
  // Prometheus would have written +Inf; anything else is not Prometheus.
  EXPECT_EQ(error_kind(200, vector_of_value(R"("1e400")")), QueryErrorKind::bad_response);
  EXPECT_EQ(error_kind(200, vector_of_value(R"("-1e400")")), QueryErrorKind::bad_response);
}

TEST(ParseQueryResponse, AcceptsIntegerAndHugeTimestamps) {
  const auto r = parse_query_response(
      200, success(R"({"resultType":"matrix","result":[{"metric":{},"values":[[0,"1"],[18446744073709551615,"2"],[-5,"3"]]}]})"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->matrix[0].points.size(), 3U);
  EXPECT_EQ(r->matrix[0].points[0].timestamp, 0.0);
  EXPECT_EQ(r->matrix[0].points[1].timestamp, 18446744073709551615.0);
  EXPECT_EQ(r->matrix[0].points[2].timestamp, -5.0);
}

TEST(ParseQueryResponse, RejectsATimestampOutsideTheDoubleRange) {
  EXPECT_EQ(error_kind(200, success(R"({"resultType":"scalar","result":[1e400,"1"]})")), QueryErrorKind::bad_response);
}

TEST(ParseQueryResponse, RejectsGarbageValues) {
  for (const auto* bad : {R"("")", R"("abc")", R"("1.5x")", R"(" 1")", R"("1 ")", R"("+1")", R"("0x10")", R"("1,5")",
                          R"("NaNa")", R"("--1")", "null", "true", "[]", "{}"}) {
    SCOPED_TRACE(bad);
    const auto r = parse_query_response(200, vector_of_value(bad));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, QueryErrorKind::bad_response);
    EXPECT_THAT(r.error().message, HasSubstr("sample value"));
  }
}

// Decision: a value written as a JSON number is refused. Every
// Prometheus-compatible API writes strings (a number cannot carry NaN or
// ±Inf), so a number means something else answers at the datasource URL.
TEST(ParseQueryResponse, RejectsAValueWrittenAsAJsonNumber) {
  const auto r = parse_query_response(200, vector_of_value("1.5"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, QueryErrorKind::bad_response);
  EXPECT_THAT(r.error().message, HasSubstr("not a string"));
  EXPECT_EQ(error_kind(200, success(R"({"resultType":"scalar","result":[1700000000,2]})")), QueryErrorKind::bad_response);
}

TEST(ParseQueryResponse, SortsLabelsByName) {
  const auto r = parse_query_response(200, success(R"({"resultType":"vector","result":[
      {"metric":{"zone":"b","job":"node","__name__":"node_load1","instance":"h:9100","a":"1"},"value":[1,"0.5"]},
      {"metric":{"job":"node","instance":"g:9100"},"value":[1,"0.7"]}]})"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->vector.size(), 2U);
  EXPECT_THAT(r->vector[0].labels, ElementsAre(Pair("__name__", "node_load1"), Pair("a", "1"), Pair("instance", "h:9100"),
                                               Pair("job", "node"), Pair("zone", "b")));
  EXPECT_THAT(r->vector[1].labels, ElementsAre(Pair("instance", "g:9100"), Pair("job", "node")));
}

TEST(ParseQueryResponse, ReadsWarnings) {
  const auto r = parse_query_response(200, R"({"status":"success","data":{"resultType":"vector","result":[]},
      "warnings":["PromQL info: metric might not be a counter","partial response from store"]})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_THAT(r->warnings,
              ElementsAre("PromQL info: metric might not be a counter", "partial response from store"));
}

TEST(ParseQueryResponse, IgnoresFieldsItDoesNotKnow) {
  // VictoriaMetrics adds "stats" and "isPartial"; Prometheus ≥ 2.46 "infos";
  // Thanos and newer versions may add more anywhere.
  const auto r = parse_query_response(200, R"({
    "status": "success",
    "isPartial": false,
    "infos": ["PromQL info: something"],
    "stats": {"seriesFetched": "1", "executionTimeMsec": 0},
    "data": {
      "resultType": "vector",
      "result": [{"metric": {"job": "node"}, "value": [1700000000, "3"], "extra": {"x": 1}}],
      "stats": {"timings": {"evalTotalTime": 0.0001}}
    }
  })");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->vector.size(), 1U);
  EXPECT_EQ(r->vector[0].point.value, 3.0);
  EXPECT_THAT(r->warnings, IsEmpty());
}

TEST(ParseQueryResponse, AcceptsASampleWithoutMetric) {
  const auto r = parse_query_response(200, success(R"({"resultType":"vector","result":[{"value":[1,"2"]}]})"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->vector.size(), 1U);
  EXPECT_THAT(r->vector[0].labels, IsEmpty());
}

TEST(ParseQueryResponse, MapsEachErrorType) {
  const std::pair<const char*, QueryErrorKind> cases[] = {
      {"bad_data", QueryErrorKind::bad_data},   {"timeout", QueryErrorKind::timeout},
      {"canceled", QueryErrorKind::canceled},   {"execution", QueryErrorKind::execution},
      {"internal", QueryErrorKind::internal},   {"unavailable", QueryErrorKind::internal},
      {"not_found", QueryErrorKind::internal},  {"something_new", QueryErrorKind::internal},
  };
  for (const auto& [type, kind] : cases) {
    SCOPED_TRACE(type);
    const auto r = parse_query_response(
        422, std::string(R"({"status":"error","errorType":")") + type + R"(","error":"it went wrong"})");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, kind);
    EXPECT_EQ(r.error().message, "it went wrong");
  }
}

TEST(ParseQueryResponse, BadDataEnvelopeWinsWhateverTheStatus) {
  const std::string body =
      R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \"}\" in label matching"})";
  for (const int status : {400, 422, 200, 503, 401}) {
    SCOPED_TRACE(status);
    const auto r = parse_query_response(status, body);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, QueryErrorKind::bad_data);
    EXPECT_EQ(r.error().message, R"(1:5: parse error: unexpected "}" in label matching)");
  }
}

TEST(ParseQueryResponse, ErrorEnvelopeWithoutTypeOrMessage) {
  const auto r = parse_query_response(500, R"({"status":"error"})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, QueryErrorKind::internal);
  EXPECT_THAT(r.error().message, Not(IsEmpty()));

  const auto t = parse_query_response(503, R"({"status":"error","errorType":"timeout"})");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, QueryErrorKind::timeout);
  EXPECT_THAT(t.error().message, HasSubstr("timeout"));
}

TEST(ParseQueryResponse, PlainText5xxIsUnavailable) {
  const auto r = parse_query_response(503, "Service Unavailable\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, QueryErrorKind::unavailable);
  EXPECT_THAT(r.error().message, HasSubstr("503"));
  EXPECT_THAT(r.error().message, HasSubstr("Service Unavailable"));

  EXPECT_EQ(error_kind(502, "<html><body><h1>502 Bad Gateway</h1></body></html>"), QueryErrorKind::unavailable);
  EXPECT_EQ(error_kind(504, ""), QueryErrorKind::unavailable);
  EXPECT_EQ(error_kind(500, R"({"message":"upstream failed"})"), QueryErrorKind::unavailable);
  EXPECT_EQ(error_kind(429, "Too Many Requests"), QueryErrorKind::unavailable);
}

TEST(ParseQueryResponse, AuthenticationFailuresAreUnauthorized) {
  EXPECT_EQ(error_kind(401, "Unauthorized\n"), QueryErrorKind::unauthorized);
  EXPECT_EQ(error_kind(403, R"({"message":"forbidden"})"), QueryErrorKind::unauthorized);
  EXPECT_EQ(error_kind(401, ""), QueryErrorKind::unauthorized);
}

TEST(ParseQueryResponse, Garbage2xxIsBadResponse) {
  for (const auto* body : {"", "OK", "<html>Grafana</html>", "[1,2,3]", "{}", R"({"status":"pending"})",
                           R"({"status":"success"})", R"({"status":"success","data":[]})", "{\"status\":\"succ"}) {
    SCOPED_TRACE(body);
    EXPECT_EQ(error_kind(200, body), QueryErrorKind::bad_response);
  }
  EXPECT_EQ(error_kind(204, ""), QueryErrorKind::bad_response);
}

TEST(ParseQueryResponse, OtherStatusesWithoutEnvelopeAreBadResponse) {
  // A wrong base URL: Prometheus's own 404 page.
  const auto r = parse_query_response(404, "404 page not found\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, QueryErrorKind::bad_response);
  EXPECT_THAT(r.error().message, HasSubstr("404 page not found"));
}

TEST(ParseQueryResponse, BoundsTheBodyQuotedInAMessage) {
  const auto r = parse_query_response(503, std::string(10'000, 'x'));
  ASSERT_FALSE(r);
  EXPECT_LT(r.error().message.size(), 300U);

  // The cut never splits a UTF-8 character: byte 200 is the middle of an é.
  std::string accents;
  for (int i = 0; i < 50; ++i) accents += "\u00e9";
  const auto u = parse_query_response(503, std::string(199, 'x') + accents);
  ASSERT_FALSE(u);
  EXPECT_THAT(u.error().message, HasSubstr("xxx..."));
}

TEST(ParseQueryResponse, RejectsMissingOrMistypedFields) {
  const char* const bodies[] = {
      R"({"status":"success","data":{"result":[]}})",
      R"({"status":"success","data":{"resultType":"vector"}})",
      R"({"status":"success","data":{"resultType":7,"result":[]}})",
      R"({"status":"success","data":{"resultType":"histogram","result":[]}})",
      R"({"status":"success","data":{"resultType":"vector","result":{}}})",
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1]}]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"2",3]}]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":["1","2"]}]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":[],"value":[1,"2"]}]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"2"]}]}})",
      R"({"status":"success","data":{"resultType":"vector","result":[1]}})",
      R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":{}}]}})",
      R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"],[2]]}]}})",
      R"({"status":"success","data":{"resultType":"scalar","result":"1"}})",
      R"({"status":"success","data":{"resultType":"string","result":[1,2]}})",
  };
  for (const auto* body : bodies) {
    SCOPED_TRACE(body);
    const auto r = parse_query_response(200, body);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, QueryErrorKind::bad_response);
    EXPECT_THAT(r.error().message, HasSubstr("malformed"));
  }
}

TEST(ParseQueryResponse, RefusesNativeHistograms) {
  const auto v = parse_query_response(
      200, success(R"({"resultType":"vector","result":[{"metric":{},"histogram":[1,{"count":"2","sum":"3"}]}]})"));
  ASSERT_FALSE(v);
  EXPECT_THAT(v.error().message, HasSubstr("native histogram"));
  const auto m = parse_query_response(
      200, success(R"({"resultType":"matrix","result":[{"metric":{},"histograms":[[1,{"count":"2","sum":"3"}]]}]})"));
  ASSERT_FALSE(m);
  EXPECT_THAT(m.error().message, HasSubstr("native histogram"));
}

TEST(ParseQueryResponse, ReadsALargeMatrix) {
  // Bigger than the parser's stack block: exercises the heap fallback.
  std::string values;
  for (int i = 0; i < 2000; ++i) values += (i ? "," : "") + ("[" + std::to_string(1700000000 + i) + ",\"" + std::to_string(i) + "\"]");
  const auto r = parse_query_response(
      200, success(R"({"resultType":"matrix","result":[{"metric":{"instance":"h:9100"},"values":[)" + values + "]}]}"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->matrix.size(), 1U);
  ASSERT_EQ(r->matrix[0].points.size(), 2000U);
  EXPECT_EQ(r->matrix[0].points[1999].value, 1999.0);
  EXPECT_EQ(r->matrix[0].points[1999].timestamp, 1700001999.0);
}

TEST(LabelValue, FindsALabelOrReturnsEmpty) {
  const Labels labels{{"instance", "h:9100"}, {"job", "node"}};
  EXPECT_EQ(label_value(labels, "job"), "node");
  EXPECT_EQ(label_value(labels, "instance"), "h:9100");
  EXPECT_EQ(label_value(labels, "mode"), "");
  EXPECT_EQ(label_value({}, "job"), "");
}

TEST(QueryErrorKindToString, NamesEveryKind) {
  EXPECT_EQ(to_string(QueryErrorKind::unavailable), "unavailable");
  EXPECT_EQ(to_string(QueryErrorKind::timeout), "timeout");
  EXPECT_EQ(to_string(QueryErrorKind::bad_data), "bad_data");
  EXPECT_EQ(to_string(QueryErrorKind::execution), "execution");
  EXPECT_EQ(to_string(QueryErrorKind::canceled), "canceled");
  EXPECT_EQ(to_string(QueryErrorKind::internal), "internal");
  EXPECT_EQ(to_string(QueryErrorKind::bad_response), "bad_response");
  EXPECT_EQ(to_string(QueryErrorKind::unauthorized), "unauthorized");
}

}  // namespace
}  // namespace sentinel::prometheus
