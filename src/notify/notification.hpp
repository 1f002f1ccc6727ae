#pragma once
// What a channel needs to say about one alert event: the event itself plus
// the context the event row does not carry (the server's current name, the
// rule's description). Built by the dispatcher from the outbox entry; every
// formatter in notify/ takes this and nothing else, so Telegram and the
// webhook always describe the same thing.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"
#include "domain/alert_event.hpp"

namespace sentinel::notify {

enum class NotificationKind {
  firing,    // the event was just created
  repeat,    // still firing after repeat_interval_sec
  resolved,  // the condition stopped holding or the series went away
};

// "firing" | "repeat" | "resolved" (the outbox stores these strings).
std::string_view to_string(NotificationKind kind);
std::optional<NotificationKind> parse_notification_kind(std::string_view s);

struct Notification {
  NotificationKind kind = NotificationKind::firing;
  domain::AlertEvent event;
  std::optional<std::string> server_name;  // null: unregistered instance or server deleted since
  std::optional<std::string> instance;     // the server's host:port; else the series' "instance" label is used
  // The rule's templates, rendered for this series when the notification
  // was written (plain text: each channel escapes them for its markup).
  std::optional<std::string> summary;
  std::optional<std::string> description;
  std::map<std::string, std::string> annotations;  // the rule's other annotations (runbook_url…)
  std::map<std::string, std::string> rule_labels;  // the rule's extra labels, added to the series'

  // When the message is built; gives "firing for 2h 5m" in a repeat. Unset: that line is left out.
  std::optional<core::Timestamp> now;
};

// The instance to show: Notification::instance, else the series' "instance"
// label, else nullopt.
std::optional<std::string> display_instance(const Notification& n);

}  // namespace sentinel::notify
