// Planning a discovery (product.md §10): what to create, what is registered
// already, what to skip and why, and which servers lost or regained their
// target — a pure function of the request, the targets and the inventory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <vector>

#include "domain/server_discovery.hpp"

namespace sentinel::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TargetLabels target(std::string job, std::string instance, TargetLabels more = {}) {
  TargetLabels l{{"instance", std::move(instance)}, {"job", std::move(job)}};
  for (auto& kv : more) l.push_back(std::move(kv));
  return l;
}

Server server(std::int64_t id, std::string name, std::string job, std::string instance, bool active = true) {
  Server s;
  s.id = id;
  s.name = std::move(name);
  s.job_name = std::move(job);
  s.instance = std::move(instance);
  s.is_active = active;
  return s;
}

std::vector<std::string> names(const DiscoveryPlan& p) {
  std::vector<std::string> out;
  for (const auto& c : p.create) out.push_back(c.name);
  return out;
}

DiscoveryPlan plan(const DiscoverRequest& req, const std::vector<TargetLabels>& targets,
                   const std::vector<Server>& servers,
                   const std::optional<std::map<std::string, std::string>>& looked_up = std::nullopt,
                   std::size_t max_created = max_created_per_run) {
  return plan_discovery({req, targets, servers, looked_up, max_created});
}

TEST(DiscoverRequest, ParsesJobLabelAndDryRun) {
  auto r = parse_discover_request(boost::json::parse(R"({"job":"node","name_label":"nodename","dry_run":true})"));
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(*r, (DiscoverRequest{"node", "nodename", true}));
  auto minimal = parse_discover_request(boost::json::parse(R"({"job":"node"})"));
  ASSERT_TRUE(minimal);
  EXPECT_EQ(*minimal, (DiscoverRequest{"node", std::nullopt, false}));
  auto null_label = parse_discover_request(boost::json::parse(R"({"job":"node","name_label":null})"));
  ASSERT_TRUE(null_label);
  EXPECT_FALSE(null_label->name_label);
}

TEST(DiscoverRequest, ListsEveryBadField) {
  auto r = parse_discover_request(boost::json::parse(R"({"name_label":"node-name","dry_run":"yes","x":1})"));
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().kind, core::ErrorKind::invalid);
  std::vector<std::string> where;
  for (const auto& f : r.error().fields) where.push_back(f.loc.back());
  EXPECT_THAT(where, ElementsAre("job", "name_label", "dry_run", "x"));
  EXPECT_THAT(r.error().fields[1].msg, ::testing::HasSubstr("label name"));
  EXPECT_FALSE(parse_discover_request(boost::json::parse(R"({"job":"  "})")));
  EXPECT_FALSE(parse_discover_request(boost::json::parse(R"(["node"])")));
}

TEST(DiscoverRequest, LabelNames) {
  EXPECT_TRUE(is_valid_label_name("nodename"));
  EXPECT_TRUE(is_valid_label_name("_a1"));
  EXPECT_FALSE(is_valid_label_name(""));
  EXPECT_FALSE(is_valid_label_name("1a"));
  EXPECT_FALSE(is_valid_label_name("a-b"));
  EXPECT_FALSE(is_valid_label_name("a\"}) or vector(1"));
}

TEST(DiscoveryPlan, CreatesNewTargetsOfTheJobOnlyNamedByInstance) {
  const std::vector<TargetLabels> targets = {target("node", "10.0.0.2:9100"), target("node", "10.0.0.1:9100"),
                                             target("other", "10.0.0.3:9100")};
  auto p = plan({"node", std::nullopt, false}, targets, {});
  EXPECT_EQ(p.targets, 2u);
  EXPECT_THAT(names(p), ElementsAre("10.0.0.1:9100", "10.0.0.2:9100"));  // by instance
  EXPECT_EQ(p.create[0].job_name, "node");
  EXPECT_EQ(p.create[0].instance, "10.0.0.1:9100");
  EXPECT_EQ(p.create[0].description, discovered_description("node"));
  EXPECT_TRUE(p.create[0].is_active);
  EXPECT_FALSE(p.wants_names);
  EXPECT_THAT(p.existing, IsEmpty());
  EXPECT_THAT(p.skipped, IsEmpty());
}

TEST(DiscoveryPlan, SameJobAndInstanceIsExistingWhateverItsName) {
  const std::vector<TargetLabels> targets = {target("node", "a:9100"), target("node", "b:9100")};
  const std::vector<Server> servers = {server(7, "hand-made", "node", "a:9100", false),
                                       server(8, "b:9100", "blackbox", "b:9100")};
  auto p = plan({"node", std::nullopt, false}, targets, servers);
  EXPECT_THAT(p.existing, ElementsAre(ExistingServer{7, "hand-made", "a:9100", false}));
  // b:9100 of another job is another server; its name is taken, so the job tells them apart.
  EXPECT_THAT(names(p), ElementsAre("b:9100 (node)"));
}

TEST(DiscoveryPlan, NamesFromTheTargetsLabelThenTheLookupThenTheInstance) {
  const std::vector<TargetLabels> targets = {target("node", "a:9100", {{"host", "alpha"}}), target("node", "b:9100"),
                                             target("node", "c:9100")};
  auto first = plan({"node", "host", false}, targets, {});
  EXPECT_TRUE(first.wants_names);  // b and c have no label of their own
  const std::optional<std::map<std::string, std::string>> looked_up = std::map<std::string, std::string>{{"b:9100", "bravo"}};
  auto p = plan({"node", "host", false}, targets, {}, looked_up);
  EXPECT_FALSE(p.wants_names);
  EXPECT_THAT(names(p), ElementsAre("alpha", "bravo", "c:9100"));
}

TEST(DiscoveryPlan, NoLookupWantedWhenEveryTargetCarriesTheLabel) {
  const std::vector<TargetLabels> targets = {target("node", "a:9100", {{"host", "alpha"}})};
  EXPECT_FALSE(plan({"node", "host", false}, targets, {}).wants_names);
  // Nor for targets that are registered already.
  EXPECT_FALSE(plan({"node", "host", false}, {target("node", "b:9100")}, {server(1, "b", "node", "b:9100")}).wants_names);
}

TEST(DiscoveryPlan, TakenNamesGetTheInstanceAppendedOrAreSkipped) {
  const std::vector<TargetLabels> targets = {
      target("node", "a:9100", {{"host", "web"}}), target("node", "b:9100", {{"host", "web"}}),
      target("node", "c:9100", {{"host", "db"}})};
  const std::vector<Server> servers = {server(1, "db", "other", "x:1"), server(2, "db (c:9100)", "other", "y:1")};
  auto p = plan({"node", "host", false}, targets, servers);
  EXPECT_THAT(names(p), ElementsAre("web", "web (b:9100)"));
  ASSERT_EQ(p.skipped.size(), 1u);
  EXPECT_EQ(p.skipped[0].instance, "c:9100");
  EXPECT_THAT(p.skipped[0].reason, ::testing::HasSubstr("taken"));
}

TEST(DiscoveryPlan, SentinelsOwnServiceDiscoveryTargetsAreTheServersThemselves) {
  const std::vector<TargetLabels> targets = {
      target("node", "a:9100", {{"sentinel_server", "alpha"}, {"sentinel_server_id", "5"}}),
      target("node", "b:9100", {{"sentinel_server", "gone"}, {"sentinel_server_id", "6"}})};
  // Server 5 is registered under another job name: still the same server.
  const std::vector<Server> servers = {server(5, "alpha", "node-exporter", "a:9100")};
  auto p = plan({"node", std::nullopt, false}, targets, servers);
  EXPECT_THAT(p.create, IsEmpty());
  EXPECT_THAT(p.existing, ElementsAre(ExistingServer{5, "alpha", "a:9100", true}));
  ASSERT_EQ(p.skipped.size(), 1u);
  EXPECT_THAT(p.skipped[0].reason, ::testing::HasSubstr("Sentinel's own service discovery"));
}

TEST(DiscoveryPlan, BadInstancesAndDuplicatesAreNotRegistered) {
  const std::vector<TargetLabels> targets = {target("node", "no-port"), target("node", "a:9100"),
                                             target("node", "a:9100"), target("node", "")};
  auto p = plan({"node", std::nullopt, false}, targets, {});
  EXPECT_THAT(names(p), ElementsAre("a:9100"));
  std::vector<std::string> skipped;
  for (const auto& s : p.skipped) skipped.push_back(s.instance);
  EXPECT_THAT(skipped, ElementsAre("", "no-port"));
}

TEST(DiscoveryPlan, CreationsAreBoundedPerRun) {
  std::vector<TargetLabels> targets;
  for (int i = 1; i <= 5; ++i) targets.push_back(target("node", "h" + std::to_string(i) + ":9100"));
  auto p = plan({"node", std::nullopt, false}, targets, {}, std::nullopt, 3);
  EXPECT_EQ(p.create.size(), 3u);
  ASSERT_EQ(p.skipped.size(), 2u);
  EXPECT_THAT(p.skipped[0].reason, ::testing::HasSubstr("at most 3"));
}

TEST(DiscoveryPlan, VanishedAndReturnedServersOfTheJob) {
  const std::vector<TargetLabels> targets = {target("node", "a:9100"), target("node", "c:9100")};
  const std::vector<Server> servers = {server(1, "a", "node", "a:9100"), server(2, "b", "node", "b:9100"),
                                       server(3, "c", "node", "c:9100", false), server(4, "d", "other", "d:9100"),
                                       server(5, "e", "node", "e:9100", false)};
  auto p = plan({"node", std::nullopt, false}, targets, servers);
  EXPECT_THAT(p.vanished, ElementsAre(ExistingServer{2, "b", "b:9100", true}));
  EXPECT_THAT(p.returned, ElementsAre(ExistingServer{3, "c", "c:9100", false}));
}

TEST(DiscoveryPlan, NamesByInstancePicksTheSmallestValue) {
  const std::vector<TargetLabels> series = {
      {{"instance", "a:9100"}, {"nodename", "zulu"}},
      {{"instance", "a:9100"}, {"nodename", "alpha"}},
      {{"instance", "b:9100"}, {"nodename", "bravo"}},
      {{"instance", "c:9100"}}};
  EXPECT_EQ(names_by_instance(series, "nodename"),
            (std::map<std::string, std::string>{{"a:9100", "alpha"}, {"b:9100", "bravo"}}));
}

TEST(DiscoveryReport, DryRunListsWhatWouldBeCreatedWithoutIds) {
  DiscoveryReport r;
  r.request = {"node", "nodename", true};
  r.targets = 3;
  ServerCreate c;
  c.name = "web";
  c.job_name = "node";
  c.instance = "a:9100";
  c.description = discovered_description("node");
  r.would_create.push_back(c);
  r.existing.push_back({4, "db", "b:9100", true});
  r.skipped.push_back({"c", "instance is not host:port"});
  EXPECT_EQ(boost::json::serialize(to_json(r)),
            R"j({"job":"node","name_label":"nodename","dry_run":true,"targets":3,)j"
            R"j("created":[{"name":"web","job_name":"node","instance":"a:9100","is_active":true,)j"
            R"j("description":"discovered from Prometheus (job node)","cadvisor_instance":null}],)j"
            R"j("existing":[{"id":4,"name":"db","instance":"b:9100","is_active":true}],)j"
            R"j("skipped":[{"instance":"c","reason":"instance is not host:port"}]})j");
}

}  // namespace
}  // namespace sentinel::domain
