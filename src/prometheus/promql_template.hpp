#pragma once
// `$instance` and `$job` in a rule's PromQL (product.md §3), replaced by a
// server's values so that no value can change the query's meaning: a value
// is inserted as the contents of a string literal, escaped for that
// literal, and never as PromQL syntax.
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sentinel::prometheus {

struct TemplateVars {
  std::optional<std::string> instance;  // value for $instance / ${instance}
  std::optional<std::string> job;       // value for $job / ${job}
};

// True when `promql` mentions $instance, ${instance}, $job or ${job}
// outside of comments (a fleet rule may not; see domain validation).
bool uses_template_vars(std::string_view promql);

// Replaces every $instance / ${instance} / $job / ${job} (a `$name` must not
// be followed by [A-Za-z0-9_], so `$instances` is left alone):
//   * inside a "..." or '...' literal: the value escaped for that quote
//     (backslash, the quote, and control characters as \n, \t, \xNN);
//   * inside a "..." or '...' literal that is the right-hand side of =~ or !~:
//     the value is first regex-quoted (RE2 metacharacters \.+*?()|[]{}^$
//     escaped) so "10.0.0.5:9100" matches only itself (the same holds for
//     the two cases below; whitespace and comments may separate the operator);
//   * inside a `...` raw literal: inserted as is; a value holding a backtick
//     cannot be represented there → error;
//   * outside any literal (e.g. `up{instance=$instance}`): a complete
//     double-quoted literal "…" holding the escaped value.
// An unterminated literal is copied unchanged (Prometheus reports it).
// Comments (# to end of line) are copied unchanged. A variable with no value
// (nullopt) is an error naming it. Errors are core::Error{invalid} on
// ["body","promql"] with a readable message.
core::Result<std::string> render_promql(std::string_view promql, const TemplateVars& vars);

// Escapes `value` for the inside of a PromQL string literal opened with
// `quote` ('"' or '\''); bytes that are not well-formed UTF-8 become \xNN.
std::string escape_string_literal(std::string_view value, char quote = '"');

// Escapes RE2 metacharacters so the result matches `value` literally.
std::string quote_regex(std::string_view value);

}  // namespace sentinel::prometheus
