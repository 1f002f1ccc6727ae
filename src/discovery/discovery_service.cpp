#include "discovery/discovery_service.hpp"

// A g++ 12 false positive on Asio's coroutine frames (see alerting/rule_evaluator.cpp).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <spdlog/spdlog.h>

#include <limits>
#include <map>
#include <optional>
#include <unordered_map>

#include "core/blocking.hpp"
#include "prometheus/client.hpp"
#include "prometheus/errors.hpp"
#include "prometheus/promql_template.hpp"
#include "storage/server_repository.hpp"

namespace sentinel::discovery {

namespace asio = boost::asio;

std::string name_lookup_query(std::string_view job, std::string_view name_label) {
  const std::string label(name_label);
  return "group by (instance, " + label + ") ({job=\"" + prometheus::escape_string_literal(job) + "\", " + label +
         "!=\"\"})";
}

struct DiscoveryService::Snapshot {
  std::vector<domain::TargetLabels> targets;
  std::vector<domain::Server> servers;
  std::optional<std::map<std::string, std::string>> names;
  domain::DiscoveryPlan plan;
};

asio::awaitable<core::Result<DiscoveryService::Snapshot>> DiscoveryService::prepare(
    const domain::DiscoverRequest& request) {
  Snapshot snap;
  auto targets = co_await prometheus_.active_targets();
  if (!targets) co_return core::fail(prometheus::to_api_error(targets.error(), {"body", "job"}));
  snap.targets.reserve(targets->size());
  for (auto& t : *targets)
    if (t.job() == request.job) snap.targets.push_back(std::move(t.labels));
  targets->clear();

  auto load = [this] { return servers_.list({std::nullopt, 0, std::numeric_limits<std::int64_t>::max()}); };
  snap.servers = co_await blocking_.run(std::move(load));

  auto plan = [&] { return domain::plan_discovery({request, snap.targets, snap.servers, snap.names}); };
  snap.plan = plan();
  if (snap.plan.wants_names && request.name_label) {
    auto found = co_await prometheus_.instant(name_lookup_query(request.job, *request.name_label));
    if (!found) co_return core::fail(prometheus::to_api_error(found.error(), {"body", "name_label"}));
    std::vector<domain::TargetLabels> series;
    series.reserve(found->vector.size());
    for (auto& s : found->vector) series.push_back(std::move(s.labels));
    snap.names = domain::names_by_instance(series, *request.name_label);
    snap.plan = plan();
  }
  co_return snap;
}

void DiscoveryService::apply(const Snapshot& snap, const domain::AuditActor& actor, domain::DiscoveryReport& report) {
  for (const auto& c : snap.plan.create) {
    auto outcome = servers_.create_unless_registered(c, actor);
    if (!outcome) {
      // Another process took the name since the plan was made.
      report.skipped.push_back({c.instance, "name \"" + c.name + "\" was taken meanwhile; run discovery again"});
    } else if (outcome->created) {
      report.created.push_back(std::move(outcome->server));
    } else {
      const auto& s = outcome->server;
      report.existing.push_back({s.id, s.name, s.instance, s.is_active});
    }
  }
}

asio::awaitable<core::Result<domain::DiscoveryReport>> DiscoveryService::discover(domain::DiscoverRequest request,
                                                                                   domain::AuditActor actor) {
  auto snap = co_await prepare(request);
  if (!snap) co_return core::fail(snap.error());
  if (snap->plan.targets == 0)
    co_return core::fail(core::Error::invalid_field(
        {"body", "job"}, "Prometheus has no active target of job \"" + request.job + "\"", "value_error"));
  domain::DiscoveryReport report;
  report.request = request;
  report.targets = snap->plan.targets;
  report.existing = snap->plan.existing;
  report.skipped = snap->plan.skipped;
  if (request.dry_run) {
    report.would_create = snap->plan.create;
    co_return report;
  }
  auto write = [this, &snap, &actor, &report] { apply(*snap, actor, report); };
  co_await blocking_.run(std::move(write));
  co_return report;
}

asio::awaitable<core::Result<SyncOutcome>> DiscoveryService::sync(const domain::DiscoverRequest& job,
                                                                 std::set<std::string>& seen,
                                                                 core::Timestamp settled_before) {
  domain::DiscoverRequest request = job;
  request.dry_run = false;
  auto snap = co_await prepare(request);
  if (!snap) co_return core::fail(snap.error());
  SyncOutcome out;
  out.report.request = request;
  out.report.targets = snap->plan.targets;
  out.report.existing = snap->plan.existing;
  out.report.skipped = snap->plan.skipped;
  if (snap->plan.targets == 0) co_return out;

  std::unordered_map<std::int64_t, const domain::Server*> by_id;
  for (const auto& s : snap->servers) by_id.emplace(s.id, &s);
  auto write = [&, this] {
    const auto actor = domain::AuditActor::discovery();
    apply(*snap, actor, out.report);
    for (const auto& v : snap->plan.vanished) {
      const auto* server = by_id.at(v.id);
      if (!seen.contains(v.instance) && server->updated_at > settled_before) continue;
      if (auto changed = servers_.set_active(v.id, false, actor))
        out.deactivated.push_back({changed->id, changed->name, changed->instance, changed->is_active});
    }
    for (const auto& r : snap->plan.returned) {
      if (!servers_.last_changed_via(r.id, actor.via)) continue;  // a person deactivated it: theirs to undo
      if (auto changed = servers_.set_active(r.id, true, actor))
        out.reactivated.push_back({changed->id, changed->name, changed->instance, changed->is_active});
    }
  };
  co_await blocking_.run(std::move(write));
  // What this round saw: the job's target instances, and the servers the
  // Sentinel-SD targets stand for.
  seen.clear();
  for (const auto& labels : snap->targets)
    for (const auto& [name, value] : labels)
      if (name == "instance") seen.insert(value);
  for (const auto& e : out.report.existing) seen.insert(e.instance);
  co_return out;
}

}  // namespace sentinel::discovery
