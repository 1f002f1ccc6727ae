#pragma once
// An alert rule's PromQL as sent to Prometheus: rendering for its server,
// checking it with Prometheus when the rule is saved, and evaluating it
// once for POST /api/v1/alerts/rules/{id}/test.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "domain/alert_rule.hpp"
#include "domain/server.hpp"
#include "prometheus/result.hpp"

namespace sentinel::prometheus {

class Client;

// The query for `rule`: $instance/$job replaced by `server`'s values for a
// server rule; unchanged for a fleet rule (server == nullopt). Fails with a
// 422 on ["body","promql"] when a value cannot be quoted safely, or when a
// fleet rule uses $instance, ${instance}, $job or ${job}.
core::Result<std::string> render_rule_query(const domain::AlertRule& rule, const std::optional<domain::Server>& server);

struct RuleQueryCheck {
  bool validated = false;             // Prometheus evaluated the query
  std::optional<core::Error> rejected;  // 422: bad_data, or a result that is not an instant vector / scalar
  std::string not_validated_reason;   // set when !validated and !rejected (Prometheus unreachable, timeout, …)
  // Not validated because Prometheus parsed the query but could not run it
  // (errorType "execution", e.g. many-to-many matching): the query is valid
  // PromQL, unlike when Prometheus could not be asked at all.
  bool parsed_but_failed = false;
};

// Evaluates `query` once. A query Prometheus cannot parse (bad_data), or
// one returning a range vector or a string, is rejected; when Prometheus
// cannot answer, the rule may still be saved and the reason is given.
boost::asio::awaitable<RuleQueryCheck> check_rule_query(Client& client, std::string query);

struct TestedSeries {
  Labels labels;
  double value = 0;
  bool would_fire = false;
  std::optional<std::int64_t> server_id;  // fleet rules: the server whose instance label matches
};

struct RuleTest {
  std::string query;
  double evaluated_at = 0;
  std::vector<TestedSeries> series;
};

// Evaluates `query` now and compares every series with the rule's
// threshold. `servers_by_instance` maps instance labels to server ids (for
// fleet rules; a server rule's series all belong to its server).
boost::asio::awaitable<QueryOutcome<RuleTest>> test_rule(
    Client& client, const domain::AlertRule& rule, std::string query,
    const std::unordered_map<std::string, std::int64_t>& servers_by_instance);

}  // namespace sentinel::prometheus
