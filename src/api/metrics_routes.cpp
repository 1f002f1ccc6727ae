// /api/v1/metrics: a server's metrics read from Prometheus (summary, range,
// containers) and ad-hoc PromQL. The server is looked up on the blocking
// pool; the queries then run on the event loop.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cmath>
#include <limits>

#include "api/authenticated.hpp"
#include "api/request_parsing.hpp"
#include "api/handlers.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "http/router.hpp"
#include "prometheus/client.hpp"
#include "prometheus/errors.hpp"
#include "prometheus/fleet_metrics.hpp"
#include "prometheus/query_catalogue.hpp"
#include "prometheus/server_metrics.hpp"
#include "storage/server_repository.hpp"

namespace sentinel::api {

namespace metrics {

namespace asio = boost::asio;
using http::Request;
using http::Response;

constexpr double default_range_sec = 3600;
constexpr double default_points = 300;
constexpr double max_points = 11000;  // Prometheus's own limit per query
constexpr std::size_t max_query_length = 10000;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A range step: at least one point per 366 days is plenty for a chart.
constexpr double max_step_sec = 366.0 * 86400;

core::Result<domain::Server> load_server(Services& s, const Request& req) {
  auto id = path_id(req, "server_id");
  if (!id) return core::fail(id.error());
  return s.servers.get(*id);
}

Response query_failure(const prometheus::QueryError& e, std::vector<std::string> loc) {
  return http::error_response(prometheus::to_api_error(e, std::move(loc)));
}

asio::awaitable<Response> summary(Services& s, Request& req) {
  auto load = [&s, &req](const Caller&) { return load_server(s, req); };
  auto then = [&s](domain::Server server) -> asio::awaitable<Response> {
    auto r = co_await s.server_metrics.summary(server);
    if (!r) co_return query_failure(r.error(), {"path", "server_id"});
    co_return http::json_response(200, prometheus::to_json(*r));
  };
  co_return co_await authenticated_then<domain::Server>(s, req, std::move(load), std::move(then));
}

// GET /metrics/servers/summary: every server's summary (active ones unless
// is_active says otherwise) from one fleet query, cached like a single one.
asio::awaitable<Response> fleet_summary(Services& s, Request& req) {
  auto load = [&s, &req](const Caller&) -> core::Result<std::vector<domain::Server>> {
    auto is_active = query_bool(req, "is_active");
    if (!is_active) return core::fail(is_active.error());
    return s.servers.list({is_active->value_or(true), 0, std::numeric_limits<std::int64_t>::max()});
  };
  auto then = [&s](std::vector<domain::Server> servers) -> asio::awaitable<Response> {
    const std::chrono::milliseconds max_age = std::chrono::seconds(s.config.metrics_cache_ttl_sec);
    auto r = co_await s.fleet_metrics.summaries(std::move(servers), max_age);
    if (!r) co_return query_failure(r.error(), {});
    boost::json::array out;
    out.reserve(r->size());
    for (const auto& row : *r) out.push_back(prometheus::to_json(row));
    co_return http::json_response(200, out);
  };
  co_return co_await authenticated_then<std::vector<domain::Server>>(s, req, std::move(load), std::move(then));
}

struct RangeParams {
  std::string metric;
  double start = 0;
  double end = 0;
  double step = 0;
};

core::Result<RangeParams> range_params(const Request& req) {
  std::vector<core::FieldError> errors;
  RangeParams p;
  auto metric = req.query_param("metric");
  if (!metric) {
    errors.push_back({{"query", "metric"}, "Field required", "missing"});
  } else if (!prometheus::find_summary_metric(*metric)) {
    std::string allowed;
    for (const auto& m : prometheus::summary_metrics()) allowed += (allowed.empty() ? "'" : ", '") + std::string(m.key) + "'";
    errors.push_back({{"query", "metric"}, "Input should be " + allowed, "enum"});
  } else {
    p.metric = std::string(*metric);
  }
  auto start = query_unix_seconds(req, "start");
  auto end = query_unix_seconds(req, "end");
  auto step = query_duration(req, "step", max_step_sec);
  if (!start) collect(errors, start.error());
  if (!end) collect(errors, end.error());
  if (!step) collect(errors, step.error());
  if (!errors.empty()) return core::fail(core::Error::invalid(std::move(errors)));
  p.end = end->value_or(unix_now());
  p.start = start->value_or(std::max(static_cast<double>(min_unix_time), p.end - default_range_sec));
  if (p.start >= p.end)
    return core::fail(core::Error::invalid_field({"query", "end"}, "end must be after start", "value_error"));
  const double span = p.end - p.start;
  // Default: whole seconds, ≤ 300 points.
  p.step = step->value_or(std::max(1.0, std::ceil(span / (default_points - 1))));
  if (span / p.step + 1 > max_points)
    return core::fail(core::Error::invalid_field(
        {"query", "step"}, "too many points: (end - start) / step must stay below 11000; use a larger step",
        "value_error"));
  return p;
}

asio::awaitable<Response> range(Services& s, Request& req) {
  struct Loaded {
    domain::Server server;
    RangeParams params;
  };
  auto load = [&s, &req](const Caller&) -> core::Result<Loaded> {
    // Every bad parameter in one 422, the path's included.
    auto id = path_id(req, "server_id");
    auto params = range_params(req);
    if (!id || !params) {
      std::vector<core::FieldError> errors;
      if (!id) collect(errors, id.error());
      if (!params) collect(errors, params.error());
      return core::fail(core::Error::invalid(std::move(errors)));
    }
    auto server = load_server(s, req);
    if (!server) return core::fail(server.error());
    return Loaded{std::move(*server), std::move(*params)};
  };
  auto then = [&s](Loaded l) -> asio::awaitable<Response> {
    auto r = co_await s.server_metrics.range(l.server, l.params.metric, l.params.start, l.params.end, l.params.step);
    if (!r) co_return query_failure(r.error(), {"query", "metric"});
    boost::json::array points;
    points.reserve(r->points.size());
    for (const auto& p : r->points) {
      boost::json::array pair{p.timestamp, nullptr};
      if (std::isfinite(p.value)) pair[1] = p.value;
      points.push_back(std::move(pair));
    }
    co_return http::json_response(
        200, boost::json::object{{"metric", r->metric}, {"step", r->step}, {"points", std::move(points)}});
  };
  co_return co_await authenticated_then<Loaded>(s, req, std::move(load), std::move(then));
}

boost::json::value optional_number(const std::optional<double>& v) {
  if (!v) return nullptr;
  return *v;
}

asio::awaitable<Response> containers(Services& s, Request& req) {
  auto load = [&s, &req](const Caller&) -> core::Result<domain::Server> {
    auto server = load_server(s, req);
    if (server && !server->cadvisor_instance)
      return core::fail(core::Error::not_found(
          "Server has no cadvisor_instance: set it (PATCH /api/v1/servers/{id}) to the host:port of the cAdvisor "
          "that sees its containers"));
    return server;
  };
  auto then = [&s](domain::Server server) -> asio::awaitable<Response> {
    auto r = co_await s.server_metrics.containers(server);
    if (!r) co_return query_failure(r.error(), {"path", "server_id"});
    boost::json::array out;
    out.reserve(r->size());
    for (const auto& c : *r)
      out.push_back(boost::json::object{
          {"name", c.name},
          {"image", c.image},
          {"cpu_usage_percent", optional_number(c.cpu_usage_percent)},
          {"memory_usage_bytes", optional_number(c.memory_usage_bytes)},
          {"memory_limit_bytes", optional_number(c.memory_limit_bytes)},
          {"network_receive_bytes_per_second", optional_number(c.network_receive_bytes_per_second)},
          {"network_transmit_bytes_per_second", optional_number(c.network_transmit_bytes_per_second)},
      });
    co_return http::json_response(200, out);
  };
  co_return co_await authenticated_then<domain::Server>(s, req, std::move(load), std::move(then));
}

asio::awaitable<Response> adhoc_query(Services& s, Request& req) {
  struct Params {
    std::string query;
    std::optional<double> time;
  };
  auto load = [&req](const Caller&) -> core::Result<Params> {
    std::vector<core::FieldError> errors;
    auto q = req.query_param("query");
    if (!q || q->empty())
      errors.push_back({{"query", "query"}, "Field required", "missing"});
    else if (q->size() > max_query_length)
      errors.push_back({{"query", "query"}, "String should have at most 10000 characters", "string_too_long"});
    auto t = query_unix_seconds(req, "time");
    if (!t) collect(errors, t.error());
    if (!errors.empty()) return core::fail(core::Error::invalid(std::move(errors)));
    return Params{std::string(*q), *t};
  };
  auto then = [&s](Params p) -> asio::awaitable<Response> {
    auto r = co_await s.prometheus.instant_data(std::move(p.query), p.time,
                                                static_cast<std::size_t>(s.config.query_max_bytes));
    if (!r) co_return query_failure(r.error(), {"query", "query"});
    co_return http::json_response(200, *r);
  };
  co_return co_await authenticated_then<Params>(s, req, std::move(load), std::move(then));
}

}  // namespace metrics

}  // namespace sentinel::api
