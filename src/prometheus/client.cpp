#include "prometheus/client.hpp"

#include <boost/json/parse.hpp>
#include <cmath>

#include "core/number_format.hpp"
#include "http_client/transport.hpp"

namespace sentinel::prometheus {

namespace asio = boost::asio;

namespace {

// application/x-www-form-urlencoded value encoding.
void append_encoded(std::string& out, std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  if (!out.empty()) out += '&';
  out += name;
  out += '=';
  append_encoded(out, value);
}

std::string number(double v) { return core::format_fixed(v, 3); }

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

Client::Client(http_client::Transport& http, ClientOptions options, QueryObserver observer)
    : http_(http),
      options_(std::move(options)),
      observer_(std::move(observer)),
      slots_(std::make_shared<core::AsyncSemaphore>(options_.max_concurrency)) {
  options_.base_url = trim_slash(options_.base_url);
}

Client::Client(const Client& sharing_slots, http_client::Transport& http)
    : http_(http), options_(sharing_slots.options_), observer_(sharing_slots.observer_), slots_(sharing_slots.slots_) {}

std::string Client::form_common(std::string_view promql) const {
  std::string form;
  append_field(form, "query", promql);
  return form;
}

asio::awaitable<QueryOutcome<Client::Raw>> Client::post(std::string_view endpoint, std::string form,
                                                         std::chrono::milliseconds timeout, bool queue,
                                                         std::size_t max_bytes, bool get) {
  // One deadline for the caller's whole wait: the queue for a slot counts,
  // so PROMETHEUS_TIMEOUT_SEC bounds every answer even when Prometheus hangs
  // and queries pile up.
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + timeout;
  std::optional<core::AsyncSemaphore::Permit> permit;
  if (queue) permit.emplace(co_await slots_->acquire());
  const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  auto finish = [&](std::optional<QueryError> error) -> QueryOutcome<Raw> {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (observer_) observer_(endpoint, error ? &*error : nullptr, seconds);
    if (error) return std::unexpected(std::move(*error));
    return Raw{};
  };
  const auto waited_out = [&] {
    return QueryError{QueryErrorKind::timeout,
                      "no answer within " + number(static_cast<double>(timeout.count()) / 1000.0) + " s"};
  };
  if (remaining.count() <= 0) co_return finish(waited_out());
  // Ask Prometheus to give up a little before we do, so a slow query ends
  // as Prometheus's own "timeout" error and stops using its CPU.
  const auto ms = remaining.count();
  const auto server_ms = std::max<std::int64_t>(ms - std::max<std::int64_t>(ms / 10, 100), 50);
  append_field(form, "timeout", std::to_string(server_ms) + "ms");

  http_client::Request req;
  req.method = get ? "GET" : "POST";
  req.url = options_.base_url + "/api/v1/" + std::string(endpoint);
  if (get)
    req.url += "?" + form;
  else
    req.headers.emplace_back("Content-Type: application/x-www-form-urlencoded");
  req.headers.emplace_back("Accept: application/json");
  // Instant answers are small (a summary's are ~200 bytes each): compressing
  // them costs Prometheus more time than it saves (bench/metrics: a summary
  // took 2.5x longer with gzip). Range answers can be large: through
  // HttpClient (https) they come compressed; KeepAliveClient (plain http,
  // a nearby Prometheus) never asks for gzip.
  if (endpoint == "query") req.headers.emplace_back("Accept-Encoding: identity");
  if (options_.bearer_token) req.headers.emplace_back("Authorization: Bearer " + *options_.bearer_token);
  req.username = options_.username;
  req.password = options_.password;
  if (!get) req.body = std::move(form);
  req.timeout = remaining;
  req.max_response_bytes = max_bytes;
  auto outcome = co_await http_.send(std::move(req));
  if (!outcome) {
    switch (outcome.error().kind) {
      case http_client::FailureKind::timeout:
        co_return finish(waited_out());
      case http_client::FailureKind::too_large:
        co_return finish(QueryError{QueryErrorKind::too_large, outcome.error().message});
      default:
        co_return finish(QueryError{QueryErrorKind::unavailable, outcome.error().message});
    }
  }
  finish(std::nullopt);
  co_return Raw{outcome->status, std::move(outcome->body)};
}

asio::awaitable<QueryOutcome<QueryResult>> Client::instant(std::string promql, std::optional<double> at) {
  auto form = form_common(promql);
  if (at) append_field(form, "time", number(*at));
  auto raw = co_await post("query", std::move(form), options_.timeout, true);
  if (!raw) co_return std::unexpected(std::move(raw.error()));
  co_return parse_query_response(static_cast<int>(raw->status), raw->body);
}

asio::awaitable<QueryOutcome<QueryResult>> Client::range(std::string promql, double start, double end, double step) {
  auto form = form_common(promql);
  append_field(form, "start", number(start));
  append_field(form, "end", number(end));
  append_field(form, "step", number(step));
  auto raw = co_await post("query_range", std::move(form), options_.timeout, true);
  if (!raw) co_return std::unexpected(std::move(raw.error()));
  co_return parse_query_response(static_cast<int>(raw->status), raw->body);
}

asio::awaitable<QueryOutcome<boost::json::value>> Client::instant_data(std::string promql, std::optional<double> at,
                                                                      std::size_t max_bytes) {
  auto form = form_common(promql);
  if (at) append_field(form, "time", number(*at));
  auto raw = co_await post("query", std::move(form), options_.timeout, true, max_bytes);
  if (!raw) co_return std::unexpected(std::move(raw.error()));
  if (raw->status >= 200 && raw->status < 300) {
    boost::system::error_code ec;
    auto doc = boost::json::parse(raw->body, ec);
    if (!ec && doc.is_object()) {
      const auto& o = doc.get_object();
      auto status = o.if_contains("status");
      auto data = o.if_contains("data");
      if (status && status->is_string() && status->get_string() == "success" && data) co_return *data;
    }
  }
  // Not a success envelope: let the typed parser classify the error.
  auto parsed = parse_query_response(static_cast<int>(raw->status), raw->body);
  if (parsed) co_return std::unexpected(QueryError{QueryErrorKind::bad_response, "unexpected answer from Prometheus"});
  co_return std::unexpected(std::move(parsed.error()));
}

asio::awaitable<QueryOutcome<std::vector<ActiveTarget>>> Client::active_targets(std::size_t max_bytes) {
  std::string form;
  append_field(form, "state", "active");
  auto raw = co_await post("targets", std::move(form), options_.timeout, true, max_bytes, /*get=*/true);
  if (!raw) co_return std::unexpected(std::move(raw.error()));
  co_return parse_targets_response(static_cast<int>(raw->status), raw->body);
}

asio::awaitable<QueryOutcome<void>> Client::ping(std::chrono::milliseconds timeout) {
  std::string form;
  append_field(form, "query", "1");
  // Not queued behind other queries: readiness asks "does Prometheus
  // answer?", not "how busy are we?".
  auto raw = co_await post("query", std::move(form), timeout, /*queue=*/false);
  if (!raw) co_return std::unexpected(std::move(raw.error()));
  auto parsed = parse_query_response(static_cast<int>(raw->status), raw->body);
  if (!parsed) co_return std::unexpected(std::move(parsed.error()));
  co_return QueryOutcome<void>{};
}

}  // namespace sentinel::prometheus
