#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <vector>

#include "domain/scrape_targets.hpp"

namespace sentinel::domain {
namespace {

using ::testing::ElementsAre;

Server server(std::int64_t id, std::string name, std::string job, std::string instance,
              std::optional<std::string> cadvisor = std::nullopt, bool active = true) {
  Server s;
  s.id = id;
  s.name = std::move(name);
  s.job_name = std::move(job);
  s.instance = std::move(instance);
  s.cadvisor_instance = std::move(cadvisor);
  s.is_active = active;
  return s;
}

TEST(ScrapeTargets, OneTargetPerActiveServerThenItsCadvisor) {
  const std::vector<Server> servers = {
      server(1, "web-1", "node", "10.0.0.1:9100", "10.0.0.1:8080"),
      server(2, "db-1", "node", "10.0.0.2:9100"),
      server(3, "old", "node", "10.0.0.3:9100", "10.0.0.3:8080", /*active=*/false),
      server(4, "edge", "blackbox", "10.0.0.4:9115"),
  };
  EXPECT_THAT(scrape_targets(servers),
              ElementsAre(ScrapeTarget{"10.0.0.1:9100", "node", 1, "web-1"},
                          ScrapeTarget{"10.0.0.1:8080", "cadvisor", 1, "web-1"},
                          ScrapeTarget{"10.0.0.2:9100", "node", 2, "db-1"},
                          ScrapeTarget{"10.0.0.4:9115", "blackbox", 4, "edge"}));
}

TEST(ScrapeTargets, AnExporterSharedByServersIsScrapedOnceNamedByTheFirst) {
  const std::vector<Server> servers = {
      server(5, "a", "node", "shared:9100", "docker-host:8080"),
      server(6, "b", "node", "shared:9100", "docker-host:8080"),
      // Same address, another job: a separate target (Prometheus keeps them apart by job).
      server(7, "c", "other", "shared:9100"),
  };
  EXPECT_THAT(scrape_targets(servers),
              ElementsAre(ScrapeTarget{"shared:9100", "node", 5, "a"},
                          ScrapeTarget{"docker-host:8080", "cadvisor", 5, "a"},
                          ScrapeTarget{"shared:9100", "other", 7, "c"}));
}

TEST(ScrapeTargets, AnInactiveServerDoesNotClaimASharedTarget) {
  const std::vector<Server> servers = {
      server(1, "paused", "node", "shared:9100", std::nullopt, /*active=*/false),
      server(2, "live", "node", "shared:9100"),
  };
  EXPECT_THAT(scrape_targets(servers), ElementsAre(ScrapeTarget{"shared:9100", "node", 2, "live"}));
}

TEST(ScrapeTargets, NoServersNoTargets) {
  EXPECT_TRUE(scrape_targets({}).empty());
  EXPECT_EQ(boost::json::serialize(to_http_sd_json({})), "[]");
}

TEST(HttpSdJson, PrometheusShapeWithStringLabels) {
  const std::vector<ScrapeTarget> targets = {{"10.0.0.1:9100", "node", 12, "web \"1\" ü"},
                                             {"10.0.0.1:8080", "cadvisor", 12, "web \"1\" ü"}};
  EXPECT_EQ(to_http_sd_json(targets), boost::json::parse(R"([
    {"targets": ["10.0.0.1:9100"],
     "labels": {"job": "node", "sentinel_server": "web \"1\" ü", "sentinel_server_id": "12"}},
    {"targets": ["10.0.0.1:8080"],
     "labels": {"job": "cadvisor", "sentinel_server": "web \"1\" ü", "sentinel_server_id": "12"}}
  ])"));
}

}  // namespace
}  // namespace sentinel::domain
