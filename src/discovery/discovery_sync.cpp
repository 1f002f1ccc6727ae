#include "discovery/discovery_sync.hpp"

// A g++ 12 false positive on Asio's coroutine frames (see alerting/rule_evaluator.cpp).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "discovery/discovery_service.hpp"
#include "observability/metrics_registry.hpp"

namespace sentinel::discovery {

namespace asio = boost::asio;

namespace {

constexpr std::string_view runs_name = "sentinel_discovery_runs_total";
constexpr std::string_view runs_help = "DISCOVERY_JOBS rounds, one per job and interval, by result";
constexpr std::string_view changes_name = "sentinel_discovery_server_changes_total";
constexpr std::string_view changes_help = "Servers created, deactivated or reactivated by DISCOVERY_JOBS";

// A server registered by hand (or by an API call) a moment ago may not be a
// target yet (Prometheus's service discovery refreshes every minute or so):
// without this process having seen its target vanish, a server is only
// deactivated once it has been left unchanged this long.
constexpr auto settle_time = std::chrono::minutes(10);

std::string instances(const std::vector<domain::ExistingServer>& servers) {
  std::string out;
  for (const auto& s : servers) out += (out.empty() ? "" : ", ") + s.name + " (" + s.instance + ")";
  return out;
}

}  // namespace

DiscoverySync::DiscoverySync(asio::any_io_executor executor, DiscoveryService& service,
                             std::vector<domain::DiscoverRequest> jobs, std::chrono::seconds interval,
                             observability::MetricsRegistry& registry)
    : executor_(std::move(executor)),
      service_(service),
      interval_(interval),
      timer_(std::make_shared<asio::steady_timer>(executor_)),
      stopped_(std::make_shared<std::atomic<bool>>(false)),
      runs_ok_(registry.counter(runs_name, runs_help, {{"result", "ok"}})),
      runs_error_(registry.counter(runs_name, runs_help, {{"result", "error"}})),
      created_(registry.counter(changes_name, changes_help, {{"change", "created"}})),
      deactivated_(registry.counter(changes_name, changes_help, {{"change", "deactivated"}})),
      reactivated_(registry.counter(changes_name, changes_help, {{"change", "reactivated"}})) {
  for (auto& j : jobs) jobs_.push_back(Job{std::move(j), {}, false});
}

void DiscoverySync::start() {
  if (jobs_.empty()) return;
  std::string names;
  for (const auto& j : jobs_) names += (names.empty() ? "" : ", ") + j.request.job;
  spdlog::info("discovery: keeping the servers of Prometheus job(s) {} in step every {} s", names, interval_.count());
  asio::co_spawn(executor_, loop(), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("discovery stopped: {}", ex.what());
    }
  });
}

void DiscoverySync::stop() {
  stopped_->store(true);
  timer_->cancel();
}

asio::awaitable<void> DiscoverySync::loop() {
  auto timer = timer_;  // the frame keeps them alive past this object's destruction at shutdown
  auto stopped = stopped_;
  for (;;) {
    for (auto& job : jobs_) {
      if (stopped->load()) co_return;
      co_await round(job);
    }
    if (stopped->load()) co_return;
    timer->expires_after(interval_);
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopped->load()) co_return;
  }
}

asio::awaitable<void> DiscoverySync::round(Job& job) {
  const auto settled_before = std::chrono::system_clock::now() - settle_time - 2 * interval_;
  core::Result<SyncOutcome> outcome = core::fail(core::Error::internal("not run"));
  try {
    outcome = co_await service_.sync(job.request, job.seen, std::chrono::time_point_cast<core::Timestamp::duration>(settled_before));
  } catch (const std::exception& e) {  // the database: counted and retried like Prometheus
    outcome = core::fail(core::Error::unavailable(e.what()));
  }
  if (stopped_->load()) co_return;
  if (!outcome) {
    runs_error_.inc();
    if (!job.failing)
      spdlog::warn("discovery of job {}: {} (retrying every {} s; logged once until it recovers)", job.request.job,
                   outcome.error().detail.empty() ? "invalid answer" : outcome.error().detail, interval_.count());
    job.failing = true;
    co_return;
  }
  runs_ok_.inc();
  if (job.failing) spdlog::info("discovery of job {}: recovered", job.request.job);
  job.failing = false;
  const auto& r = outcome->report;
  if (r.targets == 0)
    spdlog::warn("discovery of job {}: Prometheus has no active target of this job; nothing changed",
                 job.request.job);
  created_.inc(static_cast<double>(r.created.size()));
  deactivated_.inc(static_cast<double>(outcome->deactivated.size()));
  reactivated_.inc(static_cast<double>(outcome->reactivated.size()));
  if (!r.created.empty())
    spdlog::info("discovery of job {}: registered {} new server(s)", job.request.job, r.created.size());
  if (!outcome->deactivated.empty())
    spdlog::info("discovery of job {}: target gone, deactivated {}", job.request.job, instances(outcome->deactivated));
  if (!outcome->reactivated.empty())
    spdlog::info("discovery of job {}: target back, reactivated {}", job.request.job, instances(outcome->reactivated));
}

}  // namespace sentinel::discovery
