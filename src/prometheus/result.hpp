#pragma once
// Prometheus HTTP API responses (/api/v1/query, /api/v1/query_range) as
// plain values. Works for every Prometheus-compatible API (Thanos, Mimir,
// VictoriaMetrics): only the documented envelope is relied upon.
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sentinel::prometheus {

// A series' label set, sorted by label name (so equal sets compare equal
// and can key a map). `__name__` is kept when Prometheus returns it.
using Labels = std::vector<std::pair<std::string, std::string>>;

// Returns the value of label `name`, or "" when absent.
std::string_view label_value(const Labels& labels, std::string_view name);

struct Point {
  double timestamp = 0;  // Unix seconds, fractional
  double value = 0;      // NaN, +Inf and -Inf are kept as such
};

struct InstantSample {  // one element of a "vector" result
  Labels labels;
  Point point;
};

struct RangeSeries {  // one element of a "matrix" result
  Labels labels;
  std::vector<Point> points;
};

enum class ResultType { vector, matrix, scalar, string };

struct QueryResult {
  ResultType type = ResultType::vector;
  std::vector<InstantSample> vector;  // type == vector
  std::vector<RangeSeries> matrix;    // type == matrix
  Point scalar;                       // type == scalar
  std::string string_value;           // type == string (its timestamp in `scalar.timestamp`)
  std::vector<std::string> warnings;  // Prometheus's "warnings", if any
};

// Why a query failed. Prometheus's own errorType values are kept distinct:
// a bad query (bad_data) is the user's to fix, a timeout or an execution
// error is not.
enum class QueryErrorKind {
  unavailable,   // could not connect / connection reset / HTTP 5xx without a Prometheus error body
  timeout,       // our deadline passed, or errorType "timeout"
  bad_data,      // errorType "bad_data": the query does not parse or a parameter is invalid
  execution,     // errorType "execution": the query parsed but failed to run (e.g. many-to-many matching)
  canceled,      // errorType "canceled"
  internal,      // errorType "internal" / "unavailable" / anything else Prometheus reports
  bad_response,  // a 2xx answer that is not a well-formed Prometheus envelope
  unauthorized,  // HTTP 401/403 from the datasource (wrong PROMETHEUS_* credentials)
  too_large,     // the answer exceeded the caller's byte limit (cut off while reading)
};

struct QueryError {
  QueryErrorKind kind = QueryErrorKind::internal;
  std::string message;  // Prometheus's "error" text, or what went wrong on the wire
};

// "bad_data", "timeout", ... (for logs and messages).
std::string_view to_string(QueryErrorKind kind);

template <class T>
using QueryOutcome = std::expected<T, QueryError>;

// Parses one HTTP answer of /api/v1/query or /api/v1/query_range.
//   http_status: the HTTP status Prometheus answered with (200, 400, 422, 503, ...)
//   body:        the response body
// A {"status":"error","errorType":...,"error":...} envelope becomes the matching
// QueryErrorKind whatever the HTTP status; a non-JSON body with a 5xx status is
// `unavailable`, with 401/403 `unauthorized`; a 2xx body that is not a valid
// envelope is `bad_response`. Sample values arrive as strings ("1.5", "NaN",
// "+Inf", "-Inf") and are parsed exactly (std::from_chars); a value written
// as a JSON number, or outside the double range, is bad_response (no
// Prometheus-compatible API writes either). Labels are sorted.
// Never throws.
QueryOutcome<QueryResult> parse_query_response(int http_status, std::string_view body);

}  // namespace sentinel::prometheus
