#include "notify/notification.hpp"

namespace sentinel::notify {

std::string_view to_string(NotificationKind kind) {
  switch (kind) {
    case NotificationKind::firing: return "firing";
    case NotificationKind::repeat: return "repeat";
    case NotificationKind::resolved: return "resolved";
  }
  return "firing";
}

std::optional<NotificationKind> parse_notification_kind(std::string_view s) {
  if (s == "firing") return NotificationKind::firing;
  if (s == "repeat") return NotificationKind::repeat;
  if (s == "resolved") return NotificationKind::resolved;
  return std::nullopt;
}

std::optional<std::string> display_instance(const Notification& n) {
  if (n.instance && !n.instance->empty()) return n.instance;
  if (const auto it = n.event.labels.find("instance"); it != n.event.labels.end() && !it->second.empty())
    return it->second;
  return std::nullopt;
}

}  // namespace sentinel::notify
