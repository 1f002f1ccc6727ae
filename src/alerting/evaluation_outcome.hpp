#pragma once
// The synchronous heart of one rule evaluation: given the query's series and
// the stored series state, steps every series through the state machine and
// says what to write (series rows, events, notifications) and the rule's
// new state. No I/O, so it is tested with plain values.
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "alerting/server_directory.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/alert_rule.hpp"
#include "prometheus/rule_query.hpp"
#include "storage/alert_engine_store.hpp"

namespace sentinel::alerting {

// The PromQL to run for `rule` ($instance/$job rendered for its server), or
// why it cannot run (its server was deleted a moment ago, a value that
// cannot be quoted).
std::expected<std::string, std::string> query_for(const domain::AlertRule& rule, const ServerIndex& servers);

// The text of an API error: its detail, or for a 422 its first field message.
std::string describe(const core::Error& e);

// Fills record.updates, record.state and record.last_value. Series are
// keyed by the fingerprint of their label set. Only what changed is
// written: a series whose latest sample is all that moved is left alone.
void apply_evaluation(const domain::AlertRule& rule, const ServerIndex& servers,
                      std::vector<prometheus::TestedSeries> series, std::vector<storage::StoredSeries> stored,
                      core::Timestamp now, storage::EvaluationRecord& record);

}  // namespace sentinel::alerting
