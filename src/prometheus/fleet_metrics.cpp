#include "prometheus/fleet_metrics.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <charconv>

#include "core/shared_cache.hpp"
#include "prometheus/client.hpp"
#include "prometheus/query_catalogue.hpp"

namespace sentinel::prometheus {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// How long an answer stays in the shared cache; readers judge its age
// themselves from evaluated_at.
constexpr auto shared_ttl = 60s;
// How often, and how long at most, a process waits for the fetch another
// process claimed before it asks Prometheus itself.
constexpr auto shared_poll = 20ms;
constexpr auto shared_wait = 2s;

double unix_now() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()) / 1000.0;
}

std::chrono::milliseconds age_of(double evaluated_at) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(0.0, unix_now() - evaluated_at) * 1000.0));
}

// encode_fleet_snapshot() writes evaluated_at first: its age is known
// without parsing a thousand targets (waiters poll the shared cache).
std::optional<double> peek_evaluated_at(std::string_view text) {
  constexpr std::string_view prefix = R"({"evaluated_at":)";
  if (!text.starts_with(prefix)) return std::nullopt;
  text.remove_prefix(prefix.size());
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{}) return std::nullopt;
  return v;
}

// The job set's key in the shared cache (v1: the snapshot format).
std::string shared_key_of(const std::string& key) { return "sentinel:fleet:v1:" + key; }

}  // namespace

FleetMetrics::FleetMetrics(Client& client, core::SharedCache* shared) : client_(client), shared_(shared) {}

std::vector<Summary> FleetMetrics::rows(const FleetSnapshot& snapshot, const std::vector<domain::Server>& servers) {
  const std::size_t n = summary_metrics().size();
  std::vector<Summary> out;
  out.reserve(servers.size());
  for (const auto& server : servers) {
    Summary s;
    s.server_id = server.id;
    s.instance = server.instance;
    s.job_name = server.job_name;
    s.evaluated_at = snapshot.evaluated_at;
    if (auto it = snapshot.targets.find(fleet_target_key(server.job_name, server.instance));
        it != snapshot.targets.end()) {
      s.up = it->second.up;
      s.values = it->second.values;
    } else {
      s.values.resize(n);  // Prometheus has no such target: down, no data
    }
    out.push_back(std::move(s));
  }
  return out;
}

asio::awaitable<QueryOutcome<std::vector<Summary>>> FleetMetrics::summaries(std::vector<domain::Server> servers,
                                                                           std::chrono::milliseconds max_age) {
  if (servers.empty()) co_return std::vector<Summary>{};
  auto snap = co_await snapshot(servers, max_age);
  if (!snap) co_return std::unexpected(std::move(snap.error()));
  co_return rows(**snap, servers);
}

SharedFleetSnapshot FleetMetrics::cached(const std::string& key, std::chrono::milliseconds max_age) {
  std::lock_guard lock(mutex_);
  auto it = cache_.find(key);
  if (it == cache_.end() || std::chrono::steady_clock::now() - it->second.fetched >= max_age) return nullptr;
  return it->second.snapshot;
}

void FleetMetrics::store(const std::string& key, const SharedFleetSnapshot& s,
                         std::chrono::steady_clock::time_point fetched) {
  std::lock_guard lock(mutex_);
  // One entry per distinct set of job names: a handful. Bounded all the same.
  if (cache_.size() >= 64 && !cache_.contains(key)) cache_.clear();
  cache_[key] = Cached{s, fetched};
}

asio::awaitable<QueryOutcome<SharedFleetSnapshot>> FleetMetrics::snapshot(const std::vector<domain::Server>& servers,
                                                                         std::chrono::milliseconds max_age) {
  std::vector<std::string> jobs;
  for (const auto& s : servers) jobs.push_back(s.job_name);
  std::sort(jobs.begin(), jobs.end());
  jobs.erase(std::unique(jobs.begin(), jobs.end()), jobs.end());
  std::string key;
  for (const auto& j : jobs) key += fleet_target_key(j, "");
  if (max_age.count() > 0)
    if (auto hit = cached(key, max_age)) co_return hit;
  auto task = fetch(std::move(jobs), key, max_age);
  co_return co_await flights_.run(key, std::move(task));
}

asio::awaitable<std::optional<SharedFleetSnapshot>> FleetMetrics::shared_snapshot(const std::string& key,
                                                                                  std::chrono::milliseconds max_age) {
  const std::string shared_key = shared_key_of(key);
  auto text = co_await shared_->get(shared_key);
  if (!text) co_return std::nullopt;
  const auto at = peek_evaluated_at(*text);
  if (!at || age_of(*at) >= max_age) co_return std::nullopt;
  auto decoded = decode_fleet_snapshot(*text);
  if (!decoded) co_return std::nullopt;
  auto snap = std::make_shared<const FleetSnapshot>(std::move(*decoded));
  // It ages from when it was evaluated, not from now.
  store(key, snap, std::chrono::steady_clock::now() - age_of(snap->evaluated_at));
  co_return snap;
}

asio::awaitable<QueryOutcome<SharedFleetSnapshot>> FleetMetrics::fetch(std::vector<std::string> jobs, std::string key,
                                                                      std::chrono::milliseconds max_age) {
  // A fresh answer (max_age 0) is this process's own question.
  if (shared_ && max_age.count() > 0) {
    if (auto hit = co_await shared_snapshot(key, max_age)) co_return std::move(*hit);
    // One process asks Prometheus; the others wait for its answer. The
    // claim lapses within half an age, before the next period's.
    const auto claim_ttl = std::max<std::chrono::milliseconds>(max_age / 2, 1ms);
    const std::string claim_key = shared_key_of(key) + ":fetching";
    if (!co_await shared_->claim(claim_key, claim_ttl)) {
      auto ex = co_await asio::this_coro::executor;
      asio::steady_timer timer(ex);
      const auto deadline = std::chrono::steady_clock::now() + std::min<std::chrono::milliseconds>(shared_wait, max_age);
      while (std::chrono::steady_clock::now() < deadline) {
        timer.expires_after(shared_poll);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (auto hit = co_await shared_snapshot(key, max_age)) co_return std::move(*hit);
      }
      // The other process is slow or gone: ask Prometheus ourselves.
    }
  }
  auto out = co_await query(jobs);
  if (!out) co_return out;
  // Aged from when Prometheus evaluated it, not from when its answer arrived:
  // with a slow fleet query, "half a period old" must not let the next poll
  // reuse this poll's values.
  store(key, *out, std::chrono::steady_clock::now() - age_of((*out)->evaluated_at));
  if (shared_) shared_->put(shared_key_of(key), encode_fleet_snapshot(**out), shared_ttl);
  co_return out;
}

asio::awaitable<QueryOutcome<SharedFleetSnapshot>> FleetMetrics::query(const std::vector<std::string>& jobs) {
  FleetSnapshot s;
  s.evaluated_at = unix_now();
  // Named, not a temporary inside the co_await: see core/single_flight.hpp.
  std::string promql = fleet_summary_query(jobs);
  auto answer = co_await client_.instant(std::move(promql), s.evaluated_at);
  if (!answer) co_return std::unexpected(std::move(answer.error()));
  auto values = read_fleet_result(*answer);
  if (!values) co_return std::unexpected(std::move(values.error()));
  s.targets = std::move(*values);
  co_return std::make_shared<const FleetSnapshot>(std::move(s));
}

}  // namespace sentinel::prometheus
