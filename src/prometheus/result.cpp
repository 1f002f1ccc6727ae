#include "prometheus/result.hpp"

#include <algorithm>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <exception>
#include <limits>
#include <string>
#include <system_error>

#include "core/utf8.hpp"

namespace sentinel::prometheus {

namespace {

namespace json = boost::json;

// Deep enough for any Prometheus answer (they nest 5 levels); bounds the
// parser's stack if something hostile sits at the datasource URL.
constexpr std::size_t max_json_depth = 32;

// The DOM lives only while we copy out of it: a monotonic arena with a first
// block on the stack turns the thousands of small allocations of a large
// matrix into a few, and frees them all at once. Most answers (one or a few
// samples) fit in the stack block and cost no heap allocation at all.
constexpr std::size_t arena_stack_bytes = 4096;

// How much of a non-Prometheus body goes into the error message: enough to
// recognise a proxy's error page, not enough to flood the logs.
constexpr std::size_t max_snippet_bytes = 200;

std::unexpected<QueryError> fail(QueryErrorKind kind, std::string message) {
  return std::unexpected<QueryError>(QueryError{kind, std::move(message)});
}

// The start of `body` for an error message: whitespace-trimmed, at most
// max_snippet_bytes, cut on a UTF-8 character boundary, and with every byte
// that is not well-formed UTF-8 written as \xNN. The message ends up in JSON
// responses and logs, which must stay valid UTF-8 whatever the datasource
// sent (Boost.JSON copies string bytes as they are).
std::string snippet(std::string_view body) {
  static constexpr char hex[] = "0123456789abcdef";
  const auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!body.empty() && is_space(body.front())) body.remove_prefix(1);
  while (!body.empty() && is_space(body.back())) body.remove_suffix(1);
  std::string out;
  out.reserve(std::min(body.size(), max_snippet_bytes) + 3);
  for (std::size_t i = 0; i < body.size();) {
    const std::size_t len = core::utf8_sequence_length(body, i);
    const std::size_t piece = len > 0 ? len : 4;  // "\xNN"
    if (out.size() + piece > max_snippet_bytes) return out + "...";
    if (len > 0) {
      out.append(body.substr(i, len));
      i += len;
    } else {
      const auto c = static_cast<unsigned char>(body[i++]);
      out += "\\x";
      out += hex[c >> 4U];
      out += hex[c & 0xFU];
    }
  }
  return out;
}

// Prometheus writes sample values with Go's FormatFloat plus its own
// spellings of the non-finite ones. Finite values go through from_chars so
// "0.1" becomes exactly the double Prometheus held. Anything out of double
// range cannot come from Prometheus (it would have written +Inf) and is
// rejected with the rest of the garbage.
bool parse_sample_value(std::string_view text, double& out) {
  if (text == "NaN") {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (text == "+Inf" || text == "Inf") {
    out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (text == "-Inf") {
    out = -std::numeric_limits<double>::infinity();
    return true;
  }
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out, std::chars_format::general);
  return ec == std::errc{} && ptr == end && !text.empty();
}

// Walks the "data" member of a success envelope. Each step returns false
// after recording why; the reason becomes the bad_response message. Reasons
// are static strings so the hot path never formats anything.
class DataReader {
 public:
  std::string_view why() const { return why_; }

  bool read(const json::object& data, QueryResult& out) {
    const auto* type = data.if_contains("resultType");
    const auto* result = data.if_contains("result");
    if (type == nullptr || !type->is_string()) return fail("data.resultType is missing or not a string");
    if (result == nullptr) return fail("data.result is missing");
    const json::string& t = type->get_string();
    if (t == "vector") {
      out.type = ResultType::vector;
      return read_vector(*result, out.vector);
    }
    if (t == "matrix") {
      out.type = ResultType::matrix;
      return read_matrix(*result, out.matrix);
    }
    if (t == "scalar") {
      out.type = ResultType::scalar;
      return read_scalar(*result, out.scalar);
    }
    if (t == "string") {
      out.type = ResultType::string;
      return read_string(*result, out);
    }
    return fail("data.resultType is not vector, matrix, scalar or string");
  }

 private:
  bool fail(std::string_view why) {
    why_ = why;
    return false;
  }

  bool read_vector(const json::value& result, std::vector<InstantSample>& out) {
    const auto* samples = result.if_array();
    if (samples == nullptr) return fail("data.result of a vector is not an array");
    out.reserve(samples->size());
    for (const auto& item : *samples) {
      const auto* sample = item.if_object();
      if (sample == nullptr) return fail("a vector sample is not an object");
      const auto* value = sample->if_contains("value");
      if (value == nullptr) {
        return fail(sample->contains("histogram") ? "native histogram samples are not supported"
                                                  : "a vector sample has no \"value\"");
      }
      auto& s = out.emplace_back();
      if (!read_labels(sample->if_contains("metric"), s.labels) || !read_point(*value, s.point)) return false;
    }
    return true;
  }

  bool read_matrix(const json::value& result, std::vector<RangeSeries>& out) {
    const auto* series_list = result.if_array();
    if (series_list == nullptr) return fail("data.result of a matrix is not an array");
    out.reserve(series_list->size());
    for (const auto& item : *series_list) {
      const auto* series = item.if_object();
      if (series == nullptr) return fail("a matrix series is not an object");
      // Prometheus omits "values" of a series that holds only native
      // histograms; those cannot be compared with a threshold.
      if (const auto* h = series->if_contains("histograms"); h != nullptr && !(h->is_array() && h->get_array().empty()))
        return fail("native histogram samples are not supported");
      auto& s = out.emplace_back();
      if (!read_labels(series->if_contains("metric"), s.labels)) return false;
      const auto* values = series->if_contains("values");
      if (values == nullptr) continue;
      const auto* points = values->if_array();
      if (points == nullptr) return fail("the values of a matrix series are not an array");
      s.points.resize(points->size());
      for (std::size_t i = 0; i < points->size(); ++i)
        if (!read_point((*points)[i], s.points[i])) return false;
    }
    return true;
  }

  bool read_scalar(const json::value& result, Point& out) { return read_point(result, out); }

  bool read_string(const json::value& result, QueryResult& out) {
    const json::value* second = nullptr;
    if (!read_pair(result, out.scalar.timestamp, second)) return false;
    if (!second->is_string()) return fail("the value of a string result is not a string");
    out.string_value = second->get_string();
    return true;
  }

  // [<unix seconds as a JSON number>, "<value>"]. A value written as a JSON
  // number is refused: no Prometheus-compatible API sends one (a number
  // cannot hold NaN or ±Inf), so it means something else answers at the
  // datasource URL, and saying so beats guessing.
  bool read_point(const json::value& v, Point& out) {
    const json::value* second = nullptr;
    if (!read_pair(v, out.timestamp, second)) return false;
    if (!second->is_string()) return fail("a sample value is not a string");
    if (!parse_sample_value(second->get_string(), out.value)) return fail("a sample value is not a number");
    return true;
  }

  bool read_pair(const json::value& v, double& timestamp, const json::value*& second) {
    const auto* pair = v.if_array();
    if (pair == nullptr || pair->size() != 2) return fail("a sample is not a [timestamp, value] pair");
    const json::value& ts = (*pair)[0];
    switch (ts.kind()) {
      case json::kind::double_: timestamp = ts.get_double(); break;
      case json::kind::int64: timestamp = static_cast<double>(ts.get_int64()); break;
      case json::kind::uint64: timestamp = static_cast<double>(ts.get_uint64()); break;
      default: return fail("a sample timestamp is not a number");
    }
    // Boost.JSON reads 1e400 as infinity; no clock is there.
    if (!std::isfinite(timestamp)) return fail("a sample timestamp is out of range");
    second = &(*pair)[1];
    return true;
  }

  // Absent "metric" means no labels (scalar-like vectors from some
  // compatible APIs); Prometheus itself always writes an object.
  bool read_labels(const json::value* metric, Labels& out) {
    if (metric == nullptr) return true;
    const auto* labels = metric->if_object();
    if (labels == nullptr) return fail("the metric of a series is not an object");
    out.reserve(labels->size());
    for (const auto& kv : *labels) {
      const auto* value = kv.value().if_string();
      if (value == nullptr) return fail("a label value is not a string");
      out.emplace_back(std::string(kv.key()), std::string(*value));
    }
    // Prometheus already writes labels sorted; checking is cheaper than sorting.
    const auto by_name = [](const auto& a, const auto& b) { return a.first < b.first; };
    if (!std::is_sorted(out.begin(), out.end(), by_name)) std::sort(out.begin(), out.end(), by_name);
    return true;
  }

  std::string_view why_;
};

QueryErrorKind kind_of_error_type(std::string_view error_type) {
  if (error_type == "timeout") return QueryErrorKind::timeout;
  if (error_type == "canceled") return QueryErrorKind::canceled;
  if (error_type == "execution") return QueryErrorKind::execution;
  if (error_type == "bad_data") return QueryErrorKind::bad_data;
  return QueryErrorKind::internal;
}

QueryOutcome<QueryResult> error_envelope(const json::object& root) {
  std::string_view error_type;
  if (const auto* t = root.if_contains("errorType"); t != nullptr && t->is_string()) error_type = t->get_string();
  const auto kind = kind_of_error_type(error_type);
  if (const auto* e = root.if_contains("error"); e != nullptr && e->is_string() && !e->get_string().empty())
    return fail(kind, std::string(e->get_string()));
  return fail(kind, "Prometheus reported an error of type \"" + std::string(error_type) + "\" without a message");
}

// Something that is not a Prometheus envelope answered: the HTTP status is
// all we know. A proxy or load balancer in front of Prometheus is the usual
// author (its own 401 page, a 502 from nginx, a 404 for a wrong base URL).
QueryOutcome<QueryResult> not_an_envelope(int http_status, std::string_view body, std::string_view what) {
  const std::string status = "HTTP " + std::to_string(http_status);
  if (http_status == 401 || http_status == 403)
    return fail(QueryErrorKind::unauthorized, status + " from the datasource: " + snippet(body));
  // 429 is a proxy shedding load: as transient as a 503.
  if (http_status >= 500 || http_status == 429)
    return fail(QueryErrorKind::unavailable, status + " from the datasource: " + snippet(body));
  return fail(QueryErrorKind::bad_response,
              status + " with a body that is not a Prometheus API response (" + std::string(what) + "): " + snippet(body));
}

QueryOutcome<QueryResult> parse_envelope(int http_status, std::string_view body) {
  unsigned char stack_block[arena_stack_bytes];
  json::monotonic_resource arena(stack_block, sizeof stack_block);
  json::parse_options options;
  options.max_depth = max_json_depth;
  boost::system::error_code ec;
  const json::value doc = json::parse(body, ec, &arena, options);
  if (ec) return not_an_envelope(http_status, body, "not JSON");
  const auto* root = doc.if_object();
  const auto* status = root != nullptr ? root->if_contains("status") : nullptr;
  if (status == nullptr || !status->is_string()) return not_an_envelope(http_status, body, "no \"status\"");

  // The envelope is trusted over the HTTP status: Prometheus answers
  // bad_data with 400, execution errors with 422, timeouts with 503, and
  // compatible APIs pick their own codes.
  if (status->get_string() == "error") return error_envelope(*root);
  if (status->get_string() != "success") return not_an_envelope(http_status, body, "unknown \"status\"");

  const auto* data = root->if_contains("data");
  if (data == nullptr || !data->is_object())
    return fail(QueryErrorKind::bad_response, "malformed Prometheus response: \"data\" is missing or not an object");
  QueryResult out;
  DataReader reader;
  if (!reader.read(data->get_object(), out))
    return fail(QueryErrorKind::bad_response, "malformed Prometheus response: " + std::string(reader.why()));
  if (const auto* warnings = root->if_contains("warnings"); warnings != nullptr && warnings->is_array()) {
    out.warnings.reserve(warnings->get_array().size());
    for (const auto& w : warnings->get_array())
      if (w.is_string()) out.warnings.emplace_back(w.get_string());
  }
  return out;
}

}  // namespace

std::string_view label_value(const Labels& labels, std::string_view name) {
  // Label sets are small (≈10); a linear scan also works for a hand-built,
  // unsorted set.
  for (const auto& [key, value] : labels)
    if (key == name) return value;
  return {};
}

std::string_view to_string(QueryErrorKind kind) {
  switch (kind) {
    case QueryErrorKind::unavailable: return "unavailable";
    case QueryErrorKind::timeout: return "timeout";
    case QueryErrorKind::bad_data: return "bad_data";
    case QueryErrorKind::execution: return "execution";
    case QueryErrorKind::canceled: return "canceled";
    case QueryErrorKind::internal: return "internal";
    case QueryErrorKind::bad_response: return "bad_response";
    case QueryErrorKind::unauthorized: return "unauthorized";
    case QueryErrorKind::too_large: return "too_large";
  }
  return "internal";
}

QueryOutcome<QueryResult> parse_query_response(int http_status, std::string_view body) {
  // Only allocation failure can throw below (a huge body); the header
  // promises no exceptions, and a datasource answer too large to hold is
  // a bad answer, not a reason to unwind the evaluator.
  try {
    return parse_envelope(http_status, body);
  } catch (const std::exception& e) {
    return fail(QueryErrorKind::bad_response, std::string("cannot parse the Prometheus response: ") + e.what());
  }
}

}  // namespace sentinel::prometheus
