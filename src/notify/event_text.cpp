#include "notify/event_text.hpp"

#include <spdlog/fmt/fmt.h>

#include <cmath>

#include "core/utf8.hpp"
#include "notify/text_format.hpp"
#include "notify/text_limits.hpp"

namespace sentinel::notify {

namespace {

// Bounds on the parts of a series line, before any escaping: a line stays
// well under the smallest per-item limit of any target (Slack: 3000).
constexpr std::size_t max_subject_units = 300;
constexpr std::size_t max_labels_units = 600;
constexpr std::size_t max_summary_units = 600;

std::string stored_value(std::optional<double> v) {
  if (!v) return "no data";
  if (std::isnan(*v)) return "NaN";
  return fmt::format("{:.4g}", *v);
}

// A label value as PromQL would quote it, so {path="a\"b"} stays unambiguous.
std::string quoted(std::string_view v) {
  std::string out = "\"";
  for (const char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += '"';
  return out;
}

std::string_view kind_words(NotificationKind kind) {
  switch (kind) {
    case NotificationKind::firing: return "firing";
    case NotificationKind::repeat: return "still firing";
    case NotificationKind::resolved: return "resolved";
  }
  return "firing";
}

std::string subject_of(const Notification& n) {
  const auto instance = display_instance(n);
  std::string s;
  if (n.server_name && !n.server_name->empty()) {
    s = *n.server_name;
    if (instance) s += " (" + *instance + ")";
  } else if (instance) {
    s = *instance;
  } else if (n.event.server_id) {
    s = "server #" + std::to_string(*n.event.server_id);
  }
  return cut_to_units(core::sanitize_utf8(s), max_subject_units);
}

}  // namespace

std::string event_message(std::string_view rule_name, const std::optional<std::string>& comparison,
                          const std::optional<double>& threshold, std::optional<double> value,
                          std::string_view where) {
  const std::string on = where.empty() ? std::string() : " on " + std::string(where);
  if (!comparison || !threshold) return fmt::format("{}: {}{}", rule_name, stored_value(value), on);
  return fmt::format("{}: {} {} {:.4g}{}", rule_name, stored_value(value), *comparison, *threshold, on);
}

std::string_view kind_emoji(NotificationKind kind) {
  switch (kind) {
    case NotificationKind::firing: return "\xF0\x9F\x94\xA5";
    case NotificationKind::repeat: return "\xF0\x9F\x94\x81";
    case NotificationKind::resolved: return "\xE2\x9C\x85";
  }
  return "";
}

std::string group_title(const AlertGroup& group) {
  return group_title_prefix(group) + " " + core::sanitize_utf8(group_rule_name(group));
}

std::string group_title_prefix(const AlertGroup& group) {
  const bool resolved = group.kind == NotificationKind::resolved;
  return std::string(resolved ? "[RESOLVED:" : "[FIRING:") + std::to_string(group.alerts.size()) + "]";
}

std::string group_summary(const AlertGroup& group) {
  const std::size_t n = group.alerts.size();
  return std::to_string(n) + (n == 1 ? " alert " : " alerts ") + std::string(kind_words(group.kind)) +
         " \xC2\xB7 " + core::sanitize_utf8(group_severity(group));
}

std::optional<std::string> group_description(const AlertGroup& group) {
  if (group.alerts.empty()) return std::nullopt;
  const auto& d = group.alerts.front().description;
  if (!d || d->empty()) return std::nullopt;
  return core::sanitize_utf8(*d);
}

SeriesText series_text(const Notification& n) {
  const domain::AlertEvent& e = n.event;
  SeriesText t;
  t.subject = subject_of(n);
  // A rule's summary template, rendered for this series, says it in the
  // rule's own words; otherwise the value and the condition.
  t.value = n.summary && !n.summary->empty() ? cut_to_units(core::sanitize_utf8(*n.summary), max_summary_units)
                                             : value_with_condition(e.value, e.comparison, e.threshold);
  t.since = "since " + core::format_iso8601(e.started_at);
  if (n.kind == NotificationKind::repeat && n.now) t.duration = "for " + format_duration(*n.now - e.started_at);
  if (n.kind == NotificationKind::resolved && e.resolved_at)
    t.duration = "resolved after " + format_duration(*e.resolved_at - e.started_at);
  t.labels = cut_to_units(core::sanitize_utf8(extra_labels(n, display_instance(n))), max_labels_units);
  return t;
}

std::string series_line(const Notification& n) { return series_line(series_text(n)); }

std::string series_line(const SeriesText& t) {
  std::string out = t.subject.empty() ? t.value : t.subject + ": " + t.value;
  out += " " + t.since;
  if (!t.duration.empty()) out += ", " + t.duration;
  if (!t.labels.empty()) out += " " + t.labels;
  return out;
}

std::string extra_labels(const Notification& n, const std::optional<std::string>& shown_instance) {
  std::string out;
  for (const auto& [name, value] : n.event.labels) {
    if (name == "__name__" || value.empty()) continue;
    if (name == "instance" && shown_instance && value == *shown_instance) continue;
    out += out.empty() ? "{" : ", ";
    out += name;
    out += '=';
    out += quoted(value);
  }
  if (!out.empty()) out += '}';
  return out;
}

}  // namespace sentinel::notify
