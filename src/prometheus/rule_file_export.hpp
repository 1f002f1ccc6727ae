#pragma once
// Prometheus rule files out (product.md §10): Sentinel's alert rules as a
// rule file that `promtool check rules` accepts and that Prometheus or
// vmalert evaluate the way Sentinel does.
//
// Layout
//   - Groups by rule_group (none: "sentinel"), in the order of their lowest
//     rule id; rules in a group by id. A group's `interval:` is its rules'
//     eval_interval_sec; rules of one group with different intervals go in
//     groups "<group>" (the most common interval; a tie goes to the lowest
//     id's) and "<group> (<interval>)", e.g. "sentinel (30s)", or
//     "<group> (default)" for rules without one. A generated name that
//     collides with another group's gets " (2)", " (3)"… appended.
//   - `expr:` is `promql <comparison> <threshold>` for a rule with a
//     condition (promql_comparison.hpp's join_condition: parenthesised when
//     needed), else the query as is — normalised through split_condition, so
//     that a query `(x) > 5` is written as `x > 5` both times.
//   - `for:`/`keep_firing_for:` when non-zero; `labels:` severity first, then
//     the rule's labels by name; `annotations:` summary, description, then the
//     others by name. Multi-line strings are literal blocks where YAML can
//     hold them exactly, else double-quoted.
//   - Sentinel-only settings Prometheus has no equivalent for (recovery
//     threshold, no-data state, paused, repeat interval, channels, grouping,
//     the server of a server rule) go in a `# Sentinel:` comment above the
//     rule, only the non-default ones.
// Round trip: export → parse_rule_file → rules made from the mapped creates
// → export gives the same bytes (for rules without Sentinel-only settings,
// whose comments an import cannot read back).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/alert_rule.hpp"

namespace sentinel::prometheus {

// `query_of` gives each rule's PromQL as Prometheus must see it (a server
// rule's with $instance/$job substituted: render_rule_query), or nullopt to
// leave the rule out; each rule left out is named in a comment at the top of
// the file. Never fails; only allocation failure can throw.
std::string export_rule_file(const std::vector<domain::AlertRule>& rules,
                             const std::function<std::optional<std::string>(const domain::AlertRule&)>& query_of);

}  // namespace sentinel::prometheus
