#include "alerting/rule_evaluator.hpp"

// g++ 12 false positive: when it inlines Asio's coroutine-frame operator new
// (aligned_alloc) next to the matching operator delete (free), it reports a
// mismatch. The pair is Asio's own and matched (boost/asio/detail/memory.hpp).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <spdlog/spdlog.h>

#include <array>
#include <exception>
#include <functional>
#include <optional>

#include "alerting/evaluation_outcome.hpp"
#include "alerting/server_directory.hpp"
#include "observability/metrics_registry.hpp"
#include "prometheus/errors.hpp"

namespace sentinel::alerting {

namespace asio = boost::asio;

namespace {

constexpr std::array<double, 10> duration_buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

}  // namespace

RuleEvaluator::RuleEvaluator(prometheus::Client& prometheus, storage::AlertEngineStore& store,
                             core::BlockingPool& blocking, ServerDirectory& servers, core::Clock clock,
                             EventSink on_events, observability::MetricsRegistry& metrics)
    : prometheus_(prometheus),
      store_(store),
      servers_(servers),
      clock_(std::move(clock)),
      on_events_(std::move(on_events)),
      writer_(store, blocking),
      ok_(metrics.counter("sentinel_rule_evaluations_total", "Alert rule evaluations by result", {{"result", "ok"}})),
      failed_(metrics.counter("sentinel_rule_evaluations_total", "Alert rule evaluations by result",
                              {{"result", "error"}})),
      skipped_(metrics.counter("sentinel_rule_evaluations_skipped_total",
                               "Scheduled rule evaluations skipped because the previous one overran or no worker ran")),
      duration_(metrics.histogram("sentinel_rule_evaluation_duration_seconds",
                                  "Time to evaluate one alert rule (query, state machine, database)",
                                  duration_buckets)) {}

namespace {

// Calls `f` unless already called, and forgets it.
void call_once(std::function<void()>& f) {
  if (!f) return;
  auto g = std::move(f);
  f = nullptr;
  g();
}

// A fleet rule's series whose instance the index does not know: a server
// registered since the index was read, or a host nobody registered.
bool names_unknown_instance(const std::vector<prometheus::TestedSeries>& series, const ServerIndex& index) {
  for (const auto& s : series) {
    const auto instance = prometheus::label_value(s.labels, "instance");
    if (!s.server_id && !instance.empty() && !index.id_by_instance.contains(std::string(instance))) return true;
  }
  return false;
}

}  // namespace

asio::awaitable<void> RuleEvaluator::evaluate(storage::ClaimedRule claimed, std::string owner,
                                              std::function<void()> queried) {
  const auto started = std::chrono::steady_clock::now();
  if (claimed.skipped > 0) skipped_.inc(static_cast<double>(claimed.skipped));
  const auto id = claimed.rule->id;
  // From now until its outcome is written, batches of other outcomes may
  // wait for this one (OutcomeWriter: group commit).
  auto expected = writer_.expect();
  try {
    co_await run(std::move(claimed), std::move(owner), queried, expected);
  } catch (const std::exception& e) {
    failed_.inc();
    spdlog::warn("alert rule {}: evaluation not recorded: {}", id, e.what());
  }
  call_once(queried);  // when run() failed before its query had finished
  duration_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

asio::awaitable<void> RuleEvaluator::run(storage::ClaimedRule claimed, std::string owner,
                                         std::function<void()>& queried, OutcomeWriter::Expected& expected) {
  const domain::AlertRule& rule = *claimed.rule;
  storage::EvaluationRecord record;
  record.rule_id = rule.id;
  record.owner = std::move(owner);
  const auto started = std::chrono::steady_clock::now();
  auto index = co_await servers_.current();

  std::optional<std::string> error;
  std::vector<prometheus::TestedSeries> series;
  auto query = query_for(rule, *index);
  // A rule made for a server registered a moment ago: the snapshot may predate it.
  if (!query && rule.server_id && index->read_at < started && !index->by_id.contains(*rule.server_id)) {
    index = co_await servers_.fresh_since(started);
    query = query_for(rule, *index);
  }
  if (!query) {
    error = std::move(query.error());
  } else {
    auto result = co_await prometheus::test_rule(prometheus_, rule, std::move(*query), index->id_by_instance);
    if (result) {
      series = std::move(result->series);
      // Every server registered before this evaluation began is matched:
      // the snapshot may be up to its max age older than that.
      if (!rule.server_id && index->read_at < started && names_unknown_instance(series, *index)) {
        index = co_await servers_.fresh_since(started);
        for (auto& s : series)
          if (!s.server_id)
            if (auto it = index->id_by_instance.find(std::string(prometheus::label_value(s.labels, "instance")));
                it != index->id_by_instance.end())
              s.server_id = it->second;
      }
    } else
      error = describe(prometheus::to_api_error(result.error(), {"body", "promql"}));
  }
  record.evaluated_at = clock_();
  call_once(queried);

  const bool ok = !error;
  if (error) {
    // A failed evaluation changes no series: only the rule says why.
    record.state = "error";
    record.last_value = claimed.last_value;
    record.last_error = std::move(*error);
    failed_.inc();
  }

  // Reading the series, stepping them and writing the outcome happen on a
  // database pool thread, in one trip shared with the other evaluations
  // that finish meanwhile (OutcomeWriter: group commit). Each trip is two
  // thread hand-offs and each commit a WAL append: a visible part of an
  // evaluation's cost when thousands are due at once (bench/alerts). "ok" is
  // counted once recorded.
  const bool has_series = claimed.has_series;
  const std::function<void()> prepare = [this, ok, has_series, &rule, &index, &series, &record] {
    if (ok)
      apply_evaluation(rule, *index, std::move(series),
                       has_series ? store_.load_series(rule.id) : std::vector<storage::StoredSeries>{},
                       record.evaluated_at, record);
  };
  auto events = co_await writer_.write(rule, record, prepare, expected);
  if (ok) ok_.inc();
  if (!events.empty() && on_events_) on_events_(events);
}

}  // namespace sentinel::alerting
