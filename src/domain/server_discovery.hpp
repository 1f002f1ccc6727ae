#pragma once
// Servers from Prometheus (product.md §10): which of a job's active scrape
// targets to register, which are registered already, which to skip and why,
// and — for DISCOVERY_JOBS — which servers of the job lost their target or
// got it back. Pure functions of (request, targets, inventory): no I/O.
//
// Identity of a target: (job, instance). A target that carries
// `sentinel_server_id` came from Sentinel's own HTTP service discovery
// (GET /api/v1/sd/targets): it IS a registered server, matched by that id,
// and never registered again.
//
// Naming: the value of `name_label` (the target's own label, else what the
// name lookup found for its instance), else the instance. A name another
// server (or an earlier target of this run) holds becomes
// "<name> (<instance>)" — "<instance> (<job>)" when the name is the instance
// itself; when that is taken too the target is skipped with the reason.
#include <boost/json/fwd.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/server.hpp"

namespace sentinel::domain {

// A target's labels (Prometheus's, after relabelling), as name → value pairs.
using TargetLabels = std::vector<std::pair<std::string, std::string>>;

// Label sentinel_server_id: set on the targets of Sentinel's own HTTP SD.
inline constexpr std::string_view sentinel_server_id_label = "sentinel_server_id";

// At most this many servers are created by one discovery; new targets past
// it are skipped ("run again for the rest"), so one call stays bounded
// whatever Prometheus holds.
inline constexpr std::size_t max_created_per_run = 10000;

struct DiscoverRequest {
  std::string job;                        // labels.job of the targets; 1–255 chars
  std::optional<std::string> name_label;  // a label name: [a-zA-Z_][a-zA-Z0-9_]*
  bool dry_run = false;

  bool operator==(const DiscoverRequest&) const = default;
};

// {"job", "name_label"?, "dry_run"?}: 422 listing every bad field (unknown
// fields are extra_forbidden, like every body of the API).
core::Result<DiscoverRequest> parse_discover_request(const boost::json::value& body);

// A Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*.
bool is_valid_label_name(std::string_view name);

struct ExistingServer {
  std::int64_t id = 0;
  std::string name;
  std::string instance;
  bool is_active = true;

  bool operator==(const ExistingServer&) const = default;
};

struct SkippedTarget {
  std::string instance;
  std::string reason;

  bool operator==(const SkippedTarget&) const = default;
};

struct DiscoveryPlan {
  std::size_t targets = 0;               // active targets of the job
  std::vector<ServerCreate> create;      // in target order (by instance)
  std::vector<ExistingServer> existing;  // by instance
  std::vector<SkippedTarget> skipped;
  // A target to create had no `name_label` of its own and the lookup was
  // not given: look the names up and plan again.
  bool wants_names = false;
  // Active servers of the job whose instance is no longer an active target
  // of the job, and inactive ones whose instance is one again (the caller
  // decides which of them to touch: see DiscoverySync).
  std::vector<ExistingServer> vanished;
  std::vector<ExistingServer> returned;
};

struct DiscoveryInput {
  const DiscoverRequest& request;
  std::span<const TargetLabels> targets;  // every active target (any job): the plan keeps the job's
  std::span<const Server> servers;        // the whole inventory
  // instance → value of name_label (the lookup's answer); nullopt = not looked up yet.
  const std::optional<std::map<std::string, std::string>>& names;
  std::size_t max_created = max_created_per_run;
};

// Cannot fail: every target that cannot be registered is in `skipped`.
DiscoveryPlan plan_discovery(const DiscoveryInput& in);

// The description of a server discovery creates.
std::string discovered_description(std::string_view job);

// instance → name from the lookup query's series (each a label set with
// `instance` and `name_label`); when an instance has several values the
// smallest wins, so the choice does not depend on Prometheus's order.
std::map<std::string, std::string> names_by_instance(std::span<const TargetLabels> series,
                                                     std::string_view name_label);

// What a discovery did (or, with dry_run, would do), for the API:
// {"job", "name_label", "dry_run", "targets", "created": [...],
//  "existing": [{"id", "name", "instance", "is_active"}], "skipped": [{"instance", "reason"}]}.
// `created` holds Servers; with dry_run the ServerCreates (no id, no times).
struct DiscoveryReport {
  DiscoverRequest request;
  std::size_t targets = 0;
  std::vector<Server> created;
  std::vector<ServerCreate> would_create;  // dry_run
  std::vector<ExistingServer> existing;
  std::vector<SkippedTarget> skipped;
};

boost::json::value to_json(const DiscoveryReport& r);

}  // namespace sentinel::domain
