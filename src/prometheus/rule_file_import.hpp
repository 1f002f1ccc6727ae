#pragma once
// Prometheus and vmalert alerting-rule files in (product.md §10): a file is
// read and each rule mapped onto an AlertRuleCreate, or reported as skipped
// (recording rules) or failed, with the reason and where in the file. Pure:
// no storage, no Prometheus — whoever stores the rules validates the PromQL
// with Prometheus and matches existing rules by (group, name, occurrence).
//
// Mapping of an alerting rule
//   alert            → name (1..255 characters); metric_name = the first metric
//                      the expression selects, else the name (cut to 255 bytes)
//   expr             → promql, comparison, threshold: `A > 90` splits into A,
//                      ">" and 90 (promql_comparison.hpp); an expression
//                      without a top-level comparison against a number keeps
//                      comparison and threshold null (fires for every series
//                      it returns). $instance/$job in it fail the rule: that is
//                      Sentinel's per-server syntax, and imported rules are
//                      fleet rules (server_id null).
//   for, keep_firing_for → for_sec, keep_firing_for_sec (whole seconds, at most
//                      a year)
//   labels.severity  → severity: info/warning/critical, or a common word for
//                      one of them (page → critical, minor → warning, low →
//                      info…), else warning, with a note
//   other labels     → labels (the group's `labels` merged in, the rule's own
//                      winning); `alertname` and `__name__` fail the rule
//   annotations      → summary, description, and the others into annotations
//   group name       → rule_group; group interval → eval_interval_sec
// Every label value and annotation must parse as a message template
// (domain/message_template.hpp).
//
// Decisions
//   - A group `interval` that is not a Prometheus duration is a whole-file
//     error (Prometheus rejects the file); one that is valid but outside
//     Sentinel's 1s..1d whole seconds fails each rule of the group, so a
//     partial import can still take the other groups. `interval: 0s` means
//     the default interval (eval_interval_sec null), as in Prometheus.
//   - A YAML null label value is "" (go-yaml decodes it so).
//   - More than one YAML document, or more than max_rules_per_file rules
//     (aliases can repeat a list), is a whole-file error.
//   - Deep nesting: yaml-cpp 0.7's parser stops at 2000 levels (DepthGuard)
//     and already refuses much less ("bad file") for 100 000 nested `[`;
//     tests check it returns an error quickly, on a 256 KiB stack too, so no
//     pre-scan is needed.
//   - YAML merge keys (`<<: *base`) are not supported by yaml-cpp: `<<` is
//     reported as an unknown field.
#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/alert_rule.hpp"

namespace sentinel::prometheus {

struct FilePosition {
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
};

enum class RuleOutcome { mapped, skipped, failed };

struct MappedRule {
  std::string group;      // group name
  std::string name;       // alert name (or the record name of a recording rule)
  FilePosition position;  // of the rule's mapping in the file
  std::size_t group_index = 0;
  std::size_t rule_index = 0;
  RuleOutcome outcome = RuleOutcome::mapped;
  // skipped/failed: why, with "line L, column C: " of the offending node.
  std::string reason;
  // mapped: what was done that the user may not expect ("condition `> 90`
  // split off", "severity \"page\" mapped to critical", "group option limit
  // ignored", ...).
  std::vector<std::string> notes;
  // failed: where, as loc pieces from the file's root, e.g.
  // {"groups","0","rules","3","for"}.
  std::vector<std::string> failed_fields;
  std::optional<domain::AlertRuleCreate> rule;  // set when mapped
};

// A problem with the file as a whole. `message` has no position prefix
// (describe() adds it); `loc` is empty for YAML syntax errors.
struct FileError {
  FilePosition position;
  std::string message;
  std::vector<std::string> loc;
};

// Bounds on what one file may make; the API's body limit (1 MiB) keeps
// files far below them, but YAML aliases can repeat a list of rules.
inline constexpr std::size_t max_rules_per_file = 10000;

// Parses one rule file. Whole-file problems — YAML syntax error (too deep
// nesting included), more than one document, top level not a
// mapping, `groups` missing or not a list, a group that is not a mapping or
// has no name, duplicate group names, unknown or duplicate top-level or
// group fields, a group `rules` that is not a list, a group `interval` that
// is not a duration, a group `labels` that is not a mapping, a vmalert
// `type` other than prometheus, more than max_rules_per_file rules — give
// the errors (all of them that were found, in file order). Otherwise every
// rule of every group is in the result, in file order, mapped, skipped or
// failed. Only allocation failure (std::bad_alloc) can throw.
std::expected<std::vector<MappedRule>, std::vector<FileError>> parse_rule_file(std::string_view yaml);

// "line 3, column 5: groups: must be a list", or the message alone when the
// position is unknown.
std::string describe(const FileError& error);

}  // namespace sentinel::prometheus
