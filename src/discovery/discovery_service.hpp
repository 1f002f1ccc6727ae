#pragma once
// Servers from Prometheus (product.md §10): reads the active targets of a
// job, plans with domain::plan_discovery, and registers the new ones. Used
// by POST /api/v1/servers/discover and by the DISCOVERY_JOBS sync
// (discovery/discovery_sync.hpp). Prometheus is read on the event loop,
// the inventory on the blocking pool.
#include <boost/asio/awaitable.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/audit.hpp"
#include "domain/server_discovery.hpp"

namespace sentinel::core {
class BlockingPool;
}
namespace sentinel::prometheus {
class Client;
}
namespace sentinel::storage {
class ServerRepository;
}

namespace sentinel::discovery {

// group by (instance, <label>) ({job="<job>", <label>!=""}): the one
// instant query that finds `name_label` for every instance of the job
// (e.g. nodename from node_uname_info). `name_label` must be a valid label
// name (domain::is_valid_label_name); the job is escaped as a string literal.
std::string name_lookup_query(std::string_view job, std::string_view name_label);

// What one DISCOVERY_JOBS round did for one job.
struct SyncOutcome {
  domain::DiscoveryReport report;
  std::vector<domain::ExistingServer> deactivated;
  std::vector<domain::ExistingServer> reactivated;
};

class DiscoveryService {
 public:
  DiscoveryService(prometheus::Client& prometheus, storage::ServerRepository& servers, core::BlockingPool& blocking)
      : prometheus_(prometheus), servers_(servers), blocking_(blocking) {}

  // POST /api/v1/servers/discover: registers every new active target of
  // the job as `actor` (nothing is written with dry_run). Fails with
  //   invalid (422 on ["body", "job"]) when Prometheus has no active target of the job;
  //   Prometheus's errors as prometheus::to_api_error maps them (503 unreachable, 502, 504).
  boost::asio::awaitable<core::Result<domain::DiscoveryReport>> discover(domain::DiscoverRequest request,
                                                                        domain::AuditActor actor);

  // One DISCOVERY_JOBS round for `job` (its dry_run is ignored): registers
  // new targets, deactivates the active servers of the job whose instance
  // vanished from the job's active targets, reactivates the ones the sync
  // deactivated itself whose target came back. `seen` holds the instances
  // this process saw as targets of the job before (updated here): a vanished
  // server is deactivated only when its instance is in `seen`, or when it
  // was last changed before `settled_before` (so a server registered a
  // moment ago, that Prometheus has not discovered yet, is left alone). A
  // job without any active target changes nothing (a broken scrape config
  // or reload is likelier than a fleet gone at once). Fails like discover().
  boost::asio::awaitable<core::Result<SyncOutcome>> sync(const domain::DiscoverRequest& job,
                                                         std::set<std::string>& seen,
                                                         core::Timestamp settled_before);

 private:
  struct Snapshot;
  boost::asio::awaitable<core::Result<Snapshot>> prepare(const domain::DiscoverRequest& request);
  // Writes the plan's creations (blocking pool).
  void apply(const Snapshot& snap, const domain::AuditActor& actor, domain::DiscoveryReport& report);

  prometheus::Client& prometheus_;
  storage::ServerRepository& servers_;
  core::BlockingPool& blocking_;
};

}  // namespace sentinel::discovery
