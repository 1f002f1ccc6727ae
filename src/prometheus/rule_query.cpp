#include "prometheus/rule_query.hpp"

#include <chrono>

#include "domain/comparison.hpp"
#include "prometheus/client.hpp"
#include "prometheus/errors.hpp"
#include "prometheus/promql_template.hpp"

namespace sentinel::prometheus {

namespace asio = boost::asio;

core::Result<std::string> render_rule_query(const domain::AlertRule& rule,
                                            const std::optional<domain::Server>& server) {
  if (!server) {
    // A fleet rule has no server to take the values from. The domain check
    // looks for "$instance"/"$job" only; ${instance} and ${job} are
    // variables too, and sent as they are they would match nothing, for ever.
    if (uses_template_vars(rule.promql))
      return core::fail(core::Error::invalid_field(
          {"body", "promql"}, "Value error, a fleet rule (server_id null) cannot use $instance or $job", "value_error"));
    return rule.promql;
  }
  return render_promql(rule.promql, TemplateVars{server->instance, server->job_name});
}

namespace {

core::Error wrong_type(ResultType type) {
  std::string msg = "the query must return an instant vector or a scalar, got ";
  if (type == ResultType::matrix)
    msg += "a range vector (a range selector like x[5m] needs a function around it, e.g. rate(x[5m]))";
  else
    msg += "a string";
  return core::Error::invalid_field({"body", "promql"}, std::move(msg), "promql_result_type");
}

}  // namespace

asio::awaitable<RuleQueryCheck> check_rule_query(Client& client, std::string query) {
  RuleQueryCheck check;
  auto r = co_await client.instant(std::move(query));
  if (r) {
    if (r->type == ResultType::matrix || r->type == ResultType::string) check.rejected = wrong_type(r->type);
    else check.validated = true;
    co_return check;
  }
  if (r.error().kind == QueryErrorKind::bad_data) {
    check.rejected = to_api_error(r.error(), {"body", "promql"});
    co_return check;
  }
  check.not_validated_reason = "PromQL not validated: " + to_api_error(r.error(), {"body", "promql"}).detail;
  if (r.error().kind == QueryErrorKind::execution) {
    check.not_validated_reason = "PromQL not validated: Prometheus could not execute it: " + r.error().message;
    check.parsed_but_failed = true;
  }
  co_return check;
}

asio::awaitable<QueryOutcome<RuleTest>> test_rule(Client& client, const domain::AlertRule& rule, std::string query,
                                                  const std::unordered_map<std::string, std::int64_t>& servers_by_instance) {
  RuleTest out;
  out.query = query;
  out.evaluated_at =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto r = co_await client.instant(std::move(query), out.evaluated_at);
  if (!r) co_return std::unexpected(std::move(r.error()));
  auto add = [&](Labels labels, double value) {
    TestedSeries s;
    s.labels = std::move(labels);
    s.value = value;
    s.would_fire = domain::condition_holds(value, rule.comparison, rule.threshold);
    if (rule.server_id) {
      s.server_id = rule.server_id;
    } else if (auto it = servers_by_instance.find(std::string(label_value(s.labels, "instance")));
               it != servers_by_instance.end()) {
      s.server_id = it->second;
    }
    out.series.push_back(std::move(s));
  };
  switch (r->type) {
    case ResultType::vector:
      for (auto& sample : r->vector) add(std::move(sample.labels), sample.point.value);
      break;
    case ResultType::scalar:
      add({}, r->scalar.value);
      break;
    case ResultType::matrix:
    case ResultType::string:
      co_return std::unexpected(QueryError{QueryErrorKind::bad_data, wrong_type(r->type).fields.front().msg});
  }
  co_return out;
}

}  // namespace sentinel::prometheus
