#include "prometheus/server_metrics.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <algorithm>
#include <cmath>
#include <map>

#include "core/shared_cache.hpp"
#include "core/time.hpp"
#include "core/when_all.hpp"
#include "prometheus/client.hpp"
#include "prometheus/promql_template.hpp"
#include "prometheus/query_catalogue.hpp"
#include "prometheus/summary_result.hpp"
#include "prometheus/summary_snapshot.hpp"

namespace sentinel::prometheus {

namespace asio = boost::asio;

namespace {

double unix_now() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  // Millisecond precision: the `time` a summary is evaluated at, sent as such to Prometheus.
  return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()) / 1000.0;
}

boost::json::value json_number(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return *v;
}

std::optional<double> finite(std::optional<double> v) {
  if (v && !std::isfinite(*v)) return std::nullopt;
  return v;
}

core::Result<std::string> render_for(std::string_view promql, const std::string& instance, const std::string& job) {
  return render_promql(promql, TemplateVars{instance, job});
}

QueryError template_error(const core::Error& e) {
  std::string msg = e.fields.empty() ? e.detail : e.fields.front().msg;
  return QueryError{QueryErrorKind::bad_data, msg};
}

}  // namespace

boost::json::object to_json(const Summary& s) {
  boost::json::object metrics;
  const auto defs = summary_metrics();
  for (std::size_t i = 0; i < defs.size() && i < s.values.size(); ++i)
    metrics.emplace(defs[i].key, json_number(s.values[i]));
  return boost::json::object{
      {"server_id", s.server_id},
      {"instance", s.instance},
      {"job_name", s.job_name},
      {"timestamp", core::format_iso8601(core::from_unix(static_cast<std::int64_t>(std::floor(s.evaluated_at))))},
      {"up", s.up},
      {"metrics", std::move(metrics)},
  };
}

ServerMetrics::ServerMetrics(Client& client, std::chrono::milliseconds cache_ttl, core::SharedCache* shared)
    : client_(client), cache_ttl_(cache_ttl), shared_(shared) {}

std::optional<Summary> ServerMetrics::cached(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = cache_.find(key);
  if (it == cache_.end() || std::chrono::steady_clock::now() - it->second.fetched > cache_ttl_) return std::nullopt;
  return it->second.summary;
}

void ServerMetrics::store(const std::string& key, const Summary& s, std::chrono::steady_clock::time_point fetched) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  // Bounded by the number of servers; drop stale entries when it grows.
  if (cache_.size() > 4096)
    std::erase_if(cache_, [&](const auto& kv) { return now - kv.second.fetched > cache_ttl_; });
  cache_[key] = CacheEntry{s, fetched};
}

asio::awaitable<QueryOutcome<Summary>> ServerMetrics::summary(const domain::Server& server, bool fresh) {
  if (cache_ttl_.count() <= 0) co_return co_await query(server);  // no cache: every caller asks Prometheus
  std::string key = server.job_name + '\n' + server.instance;
  if (auto hit = fresh ? std::nullopt : cached(key)) {
    hit->server_id = server.id;
    co_return std::move(*hit);
  }
  auto task = fetch(server, key, /*shared=*/!fresh);
  auto out = co_await flights_.run(key, std::move(task));
  if (out) out->server_id = server.id;  // the fetch may have been another server's on the same target
  co_return out;
}

asio::awaitable<QueryOutcome<Summary>> ServerMetrics::fetch(domain::Server server, std::string key, bool shared) {
  // Length-prefixed: no job/instance pair can spell another's key.
  const std::string shared_key =
      "sentinel:summary:v1:" + std::to_string(server.job_name.size()) + ":" + server.job_name + server.instance;
  if (shared && shared_) {
    if (auto text = co_await shared_->get(shared_key)) {
      if (auto snapshot = decode_snapshot(*text)) {
        // Another process fetched it; it ages from then, not from now.
        const auto age = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(std::max(0.0, unix_now() - snapshot->evaluated_at)));
        if (age < cache_ttl_) {
          snapshot->server_id = server.id;
          snapshot->instance = server.instance;
          snapshot->job_name = server.job_name;
          store(key, *snapshot, std::chrono::steady_clock::now() - age);
          co_return std::move(*snapshot);
        }
      }
    }
  }
  auto out = co_await query(server);
  if (!out) co_return out;
  store(key, *out, std::chrono::steady_clock::now());
  if (shared_) {
    const auto left = cache_ttl_ - std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::duration<double>(unix_now() - out->evaluated_at));
    if (left.count() > 0) shared_->put(shared_key, encode_snapshot(*out), left);
  }
  co_return out;
}

asio::awaitable<QueryOutcome<Summary>> ServerMetrics::query(const domain::Server& server) {
  Summary out;
  out.server_id = server.id;
  out.instance = server.instance;
  out.job_name = server.job_name;
  out.evaluated_at = unix_now();
  auto q = render_for(summary_query(), server.instance, server.job_name);
  if (!q) co_return std::unexpected(template_error(q.error()));
  auto answer = co_await client_.instant(std::move(*q), out.evaluated_at);
  if (!answer) co_return std::unexpected(std::move(answer.error()));
  auto values = read_summary_result(*answer);
  if (!values) co_return std::unexpected(std::move(values.error()));
  out.up = values->up;
  out.values = std::move(values->values);
  co_return out;
}

asio::awaitable<QueryOutcome<RangeData>> ServerMetrics::range(const domain::Server& server, std::string metric,
                                                             double start, double end, double step) {
  auto def = find_summary_metric(metric);
  if (!def) co_return std::unexpected(QueryError{QueryErrorKind::bad_data, "unknown metric " + metric});
  auto q = render_for(def->promql, server.instance, server.job_name);
  if (!q) co_return std::unexpected(template_error(q.error()));
  auto r = co_await client_.range(std::move(*q), start, end, step);
  if (!r) co_return std::unexpected(std::move(r.error()));
  RangeData out;
  out.metric = std::move(metric);
  out.step = step;
  if (r->type == ResultType::matrix && !r->matrix.empty()) out.points = std::move(r->matrix.front().points);
  co_return out;
}

asio::awaitable<QueryOutcome<std::vector<ContainerStats>>> ServerMetrics::containers(const domain::Server& server) {
  const std::string instance = server.cadvisor_instance.value_or("");
  const auto& cq = container_queries();
  const std::string_view templates[] = {cq.cpu_usage_percent, cq.memory_usage_bytes, cq.memory_limit_bytes,
                                        cq.network_receive_bytes_per_second, cq.network_transmit_bytes_per_second};
  const double at = unix_now();
  std::vector<asio::awaitable<QueryOutcome<QueryResult>>> tasks;
  for (auto t : templates) {
    auto q = render_promql(t, TemplateVars{instance, server.job_name});
    if (!q) co_return std::unexpected(template_error(q.error()));
    tasks.push_back(client_.instant(std::move(*q), at));
  }
  auto results = co_await core::when_all(std::move(tasks));
  for (auto& r : results)
    if (!r) co_return std::unexpected(std::move(r.error()));

  // Join the five answers on (name, image).
  std::map<std::pair<std::string, std::string>, ContainerStats> by_container;
  auto field_of = [](ContainerStats& c, std::size_t i) -> std::optional<double>& {
    switch (i) {
      case 0: return c.cpu_usage_percent;
      case 1: return c.memory_usage_bytes;
      case 2: return c.memory_limit_bytes;
      case 3: return c.network_receive_bytes_per_second;
      default: return c.network_transmit_bytes_per_second;
    }
  };
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i]->type != ResultType::vector) continue;
    for (const auto& sample : results[i]->vector) {
      std::pair<std::string, std::string> k{std::string(label_value(sample.labels, "name")),
                                            std::string(label_value(sample.labels, "image"))};
      if (k.first.empty()) continue;
      auto& c = by_container[k];
      c.name = k.first;
      c.image = k.second;
      field_of(c, i) = finite(sample.point.value);
    }
  }
  std::vector<ContainerStats> out;
  out.reserve(by_container.size());
  for (auto& [k, c] : by_container) {
    // cAdvisor reports "no limit" as 0 (or a huge number on cgroup v1).
    if (c.memory_limit_bytes && (*c.memory_limit_bytes <= 0 || *c.memory_limit_bytes >= 9.2e18))
      c.memory_limit_bytes.reset();
    out.push_back(std::move(c));
  }
  co_return out;
}

}  // namespace sentinel::prometheus
