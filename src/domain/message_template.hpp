#pragma once
// Alert message templates in the dialect Prometheus uses for annotations:
// a subset of Go's text/template, executed with missingkey=zero over the
// data {Labels, ExternalLabels, ExternalURL, Value}, with the variables
// $labels, $externalLabels, $externalURL and $value predefined. Rules
// imported from Prometheus rule files keep their summary and description
// text as written, so the same text must give the same message here.
//
// Language
//   Text outside {{ }} is copied verbatim. {{- and -}} (with a space on the
//   inner side) trim the white space (space, tab, CR, LF) before/after the
//   action, as Go does. {{/* comment */}} is dropped.
//   Operands: . $ $labels $labels.name .Labels.name $value .Value
//   $externalLabels .ExternalLabels (an empty map) $externalURL .ExternalURL
//   (an empty string), "strings" with Go escapes, `raw strings`, numbers,
//   'c' characters, true false nil, (parenthesised pipelines), variables
//   declared with {{ $x := pipeline }} and set with {{ $x = pipeline }}.
//   Pipelines: a | f b  calls f(b, a) (the piped value is the last argument).
//   Control: if / else if / else / end, with / else with / else / end,
//   range over a map ({{ range $k, $v := $labels }}, {{ range $labels }},
//   with else, break and continue).
//   Functions: humanize humanize1024 humanizeDuration humanizePercentage
//   humanizeTimestamp (Prometheus's output formats; numbers or numeric
//   strings), printf print println (Go's fmt verbs %v %s %d %f %F %e %E %g %G
//   %x %X %o %b %c %q %t %% with flags, width, precision, * and [n] argument
//   indexes; mismatches print like Go, e.g. %!d(MISSING)), toUpper toLower
//   title, stripPort, safeHtml (identity), externalURL and pathPrefix ("",
//   Sentinel has no external URL), index, len, eq ne lt le gt ge, and or not.
//   Not supported, rejected by parse(): define, template, block, and the
//   functions that query Prometheus or evaluate regular expressions (query,
//   first, label, value, strvalue, sortByLabel, match, reReplaceAll, ...).
//
// Deliberate differences from Go
//   - Comparing an integer literal with a float ({{ if gt $value 90 }})
//     compares the numbers; Go stops with "incompatible types for comparison".
//   - Function names and argument counts are checked by parse(), so a
//     template that Go would accept but could never execute is rejected when
//     the rule is saved instead of failing at 3 a.m.
//   - toUpper, toLower and title map ASCII, Latin-1, Greek and Cyrillic
//     letters; other characters are left as they are.
//   - An absent value (no data) renders $value and .Value as "", and the
//     humanize functions and printf give "" for it; eq/ne treat it as equal
//     only to itself, and lt/le/gt/ge with it are false.
//
// Output is plain text: nothing is escaped here, because each notification
// channel escapes for its own markup (HTML, Markdown, JSON) when it sends.
//
// Bounds: the text is at most max_template_bytes and control structures and
// parentheses nest at most max_nesting_depth deep (parse() rejects more); the
// output is cut, on a UTF-8 boundary, at max_output_bytes, and execution
// stops there or when its work budget is spent (range over nested maps), so
// no template can hang, recurse without bound, or grow memory past a few MiB.
#include <cstddef>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::domain {

namespace template_detail {
struct Program;
}  // namespace template_detail

// Where parse() gave up and why. `offset` is a byte offset into the text;
// `line` and `column` are 1-based, the column counting characters (UTF-8 code
// points) from the start of the line.
struct TemplateError {
  std::size_t offset = 0;
  std::size_t line = 1;
  std::size_t column = 1;
  std::string message;
};

// The data an alert message is rendered with. `labels` may be null (no
// labels). `value` nullopt means "no data": the alert fired because the query
// returned nothing, and $value renders as "".
struct TemplateData {
  const std::map<std::string, std::string>* labels = nullptr;
  std::optional<double> value;
};

class MessageTemplate {
 public:
  static constexpr std::size_t max_template_bytes = 16 * 1024;
  static constexpr std::size_t max_output_bytes = 16 * 1024;
  static constexpr std::size_t max_nesting_depth = 32;

  // Fails with the first syntax error: an unclosed action, comment or string,
  // an unknown or unsupported function, a wrong argument count, an undefined
  // variable, a bad pipeline or operand, unbalanced if/with/range/else/end,
  // break/continue outside range, text over max_template_bytes, nesting over
  // max_nesting_depth.
  static std::expected<MessageTemplate, TemplateError> parse(std::string_view text);

  // Never fails. An error while executing (humanize of a label that is not a
  // number, index of a string by a string, ...) gives, as in Prometheus, the
  // whole message "<error expanding template: line L, column C: ...>".
  // Output is cut at max_output_bytes on a UTF-8 boundary. Only allocation
  // failure (std::bad_alloc) can throw.
  std::string render(const TemplateData& data) const;

 private:
  explicit MessageTemplate(std::shared_ptr<const template_detail::Program> program);
  std::shared_ptr<const template_detail::Program> program_;  // immutable: copies and threads share it
};

// parse + render. On a syntax error returns `text` unchanged: rules are
// validated when they are saved, so this is only a fallback.
std::string render_template(std::string_view text, const TemplateData& data);

// "line 2, column 7: unknown function \"foo\"": for API 422 messages.
std::string describe(const TemplateError& e);

}  // namespace sentinel::domain
