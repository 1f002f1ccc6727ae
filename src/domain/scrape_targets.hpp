#pragma once
// What Prometheus should scrape, from the inventory: the answer of
// GET /api/v1/sd/targets in Prometheus's HTTP service-discovery format
// (product.md §10), so a server registered in Sentinel is scraped without
// editing prometheus.yml.
#include <boost/json/fwd.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/server.hpp"

namespace sentinel::domain {

// The job label of a server's cAdvisor target. Sentinel's container queries
// select by instance alone (prometheus/query_catalogue.cpp), so the name is
// for people and dashboards; it is the job deploy/prometheus.yml used before.
inline constexpr std::string_view cadvisor_job = "cadvisor";

// One target, with the server it was found on.
struct ScrapeTarget {
  std::string address;  // host:port: the target, hence Prometheus's `instance` label
  std::string job;      // the server's job_name, or cadvisor_job
  std::int64_t server_id = 0;
  std::string server_name;

  bool operator==(const ScrapeTarget&) const = default;
};

// Every active server's instance (job: its job_name) and, when it has one,
// its cadvisor_instance (job "cadvisor"), in the order given (the
// repository lists by id), a server's instance before its cAdvisor.
// Inactive servers are left out. One target per (job, address): servers
// that share an exporter (or a cAdvisor) would otherwise have Prometheus
// scrape it once per server, each copy a separate series differing only in
// the sentinel_* labels, and every sum() over it (network rates, container
// figures) would count it twice; the first server listed names the target.
// Cannot fail.
std::vector<ScrapeTarget> scrape_targets(std::span<const Server> servers);

// [{"targets": ["host:port"], "labels": {"job", "sentinel_server",
// "sentinel_server_id"}}, …]: one group per target, every label value a
// string (the id too), no `__meta_` labels: these are plain target labels
// that Prometheus attaches to every series scraped from the target.
boost::json::value to_http_sd_json(std::span<const ScrapeTarget> targets);

}  // namespace sentinel::domain
