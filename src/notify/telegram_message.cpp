#include "notify/telegram_message.hpp"

#include <string_view>

#include "notify/event_text.hpp"
#include "notify/text_format.hpp"

namespace sentinel::notify {

namespace {

void line(std::string& out, std::string_view text) {
  out += '\n';
  out += text;
}

std::string server_line(const Notification& n, const std::optional<std::string>& instance) {
  if (n.server_name && !n.server_name->empty()) {
    std::string s = "Server: <b>" + html_escape(*n.server_name) + "</b>";
    if (instance) s += " (<code>" + html_escape(*instance) + "</code>)";
    return s;
  }
  if (instance) return "Instance: <code>" + html_escape(*instance) + "</code>";
  if (n.event.server_id) return "Server: #" + std::to_string(*n.event.server_id);
  return {};
}

std::string value_line(const domain::AlertEvent& e) {
  if (!e.comparison || !e.threshold)
    return "Value: <b>" + html_escape(value_with_condition(e.value, std::nullopt, std::nullopt)) + "</b>";
  const std::string value =
      e.value ? html_escape(format_value_against(*e.value, *e.threshold)) : std::string("no data");
  return "Value: <b>" + value + "</b> \xC2\xB7 threshold " + html_escape(*e.comparison) + " " +
         html_escape(format_readable(*e.threshold));
}

}  // namespace

std::string_view telegram_heading(NotificationKind kind) {
  switch (kind) {
    case NotificationKind::firing: return "\xF0\x9F\x94\xA5 <b>FIRING</b>";          // 🔥
    case NotificationKind::repeat: return "\xF0\x9F\x94\x81 <b>STILL FIRING</b>";    // 🔁
    case NotificationKind::resolved: return "\xE2\x9C\x85 <b>RESOLVED</b>";          // ✅
  }
  return "";
}

std::string format_telegram_message(const Notification& n, std::size_t limit) {
  const domain::AlertEvent& e = n.event;
  const std::optional<std::string> instance = display_instance(n);

  std::string out(telegram_heading(n.kind));
  out += " \xC2\xB7 <b>" + html_escape(e.rule_name) + "</b>";  // " · "
  if (!e.message.empty()) line(out, html_escape(e.message));
  if (const std::string s = server_line(n, instance); !s.empty()) line(out, s);
  line(out, value_line(e));
  line(out, "Severity: " + html_escape(e.severity));
  line(out, "Started: " + core::format_iso8601(e.started_at));
  if (n.kind == NotificationKind::repeat && n.now)
    line(out, "Firing for: " + format_duration(*n.now - e.started_at));
  if (n.kind == NotificationKind::resolved && e.resolved_at)
    line(out, "Resolved: " + core::format_iso8601(*e.resolved_at) + " (after " +
                  format_duration(*e.resolved_at - e.started_at) + ")");
  if (const std::string labels = extra_labels(n, instance); !labels.empty())
    line(out, "Labels: <code>" + html_escape(labels) + "</code>");
  if (n.description && !n.description->empty()) line(out, "<i>" + html_escape(*n.description) + "</i>");
  return truncate_telegram_html(out, limit);
}

}  // namespace sentinel::notify
