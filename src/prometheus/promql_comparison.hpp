#pragma once
// The condition of a Prometheus alerting rule, `A > 90`, split into the
// query A and Sentinel's comparison and threshold (product.md §10), and
// joined again for export. A small PromQL tokenizer decides what is at the
// top level of the expression; nothing here evaluates or fully parses PromQL
// (Prometheus does that when the rule is saved).
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::prometheus {

struct SplitCondition {
  std::string promql;      // the other side, trimmed, one pair of wrapping parentheses removed
  std::string comparison;  // ">", ">=", "<", "<=", "==", "!="  (as if the number were on the right)
  double threshold = 0;    // finite
};

// `A <cmp> N` or `N <cmp> A` (flipped: 90 < A is A > 90), when that is the
// expression's top-level operation: no top-level or/and/unless, the last
// top-level comparison (comparisons are left-associative), no bool / on /
// ignoring / group_left / group_right modifier, one side exactly one finite
// number literal (decimal, hex, octal as Go's ParseInt reads it, optionally
// signed and parenthesised) and the other side not a number. Never fails:
// nullopt means "leave the expression whole" — the rule then fires for
// every series it returns, as Prometheus does — and is also the answer for
// text the tokenizer cannot read (an unterminated string, unbalanced
// brackets).
std::optional<SplitCondition> split_condition(std::string_view expr);

// The first metric name the expression selects (`rate(foo[5m])` → foo,
// `{__name__="foo"}` → foo), skipping function names, keywords and the
// label lists of by/without/on/ignoring/group_left/group_right; nullopt
// when it selects none or cannot be tokenized.
std::optional<std::string> first_metric_name(std::string_view expr);

// The threshold as written into an expression: shortest text that reads back
// as the same double (90, 0.5, 1e+06, -1, 1e-09).
std::string format_threshold(double threshold);

// `promql comparison threshold` as export writes it. `promql` is wrapped in
// parentheses when the comparison would otherwise not apply to the whole of
// it (a top-level operator or modifier), when it holds a comment, or when it
// is itself wrapped in parentheses — so that split_condition of the result
// gives `promql` (trimmed) back unchanged.
std::string join_condition(std::string_view promql, std::string_view comparison, double threshold);

}  // namespace sentinel::prometheus
