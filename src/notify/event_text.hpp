#pragma once
// One place renders what an alert says in words (issue 16: "one place
// renders messages"): the event's stored one-line message, a group's title
// and summary, and one line per series. Plain text: each channel escapes the
// parts for its own markup (Telegram HTML, Slack mrkdwn, Discord markdown,
// email HTML).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "notify/alert_group.hpp"
#include "notify/notification.hpp"

namespace sentinel::notify {

// The event's one-line message, stored with it when it fires, e.g.
// "High CPU: 97.5 > 90 on web-1" ("no data" for a series that fired for
// its absence; " on …" left out when `where` is empty; "High CPU: 97.5 on
// web-1" for a rule without a condition). A rule's summary template, when it
// has one, replaces this (alerting/evaluation_outcome.cpp).
std::string event_message(std::string_view rule_name, const std::optional<std::string>& comparison,
                          const std::optional<double>& threshold, std::optional<double> value,
                          std::string_view where);

// "[FIRING:3] High CPU", "[RESOLVED:1] High CPU": Alertmanager's usual
// title. A repeat is "[FIRING:n]" too, so a mail client threads it with the
// first message.
std::string group_title(const AlertGroup& group);
// Its first word alone, "[FIRING:3]", for a markup that escapes the rule
// name but not Sentinel's own text.
std::string group_title_prefix(const AlertGroup& group);

// "🔥" firing, "🔁" still firing, "✅" resolved: the mark a title starts with.
std::string_view kind_emoji(NotificationKind kind);

// "3 alerts firing · critical", "1 alert still firing · warning",
// "2 alerts resolved · info".
std::string group_summary(const AlertGroup& group);

// The first alert's rule description, if any (the dispatcher appends why an
// alert ended without data: "(resolved: rule deleted)").
std::optional<std::string> group_description(const AlertGroup& group);

// One series, in parts, each bounded (a label value can be megabytes).
struct SeriesText {
  std::string subject;   // "web-1 (10.0.0.5:9100)", "10.0.0.5:9100", "server #3", or ""
  std::string value;     // "97.5 > 90", "no data > 90", "97.5" (no condition), or the rendered summary
  std::string since;     // "since 2026-11-23T22:24:26Z"
  std::string duration;  // "for 2h 5m" (a repeat), "resolved after 1h 5m", or ""
  std::string labels;    // {mountpoint="/"}: the labels not shown otherwise, or ""
};
SeriesText series_text(const Notification& n);

// The parts of series_text() on one line:
// "web-1 (10.0.0.5:9100): 97.5 > 90 since 2026-11-23T22:24:26Z, for 2h 5m {mountpoint="/"}".
std::string series_line(const Notification& n);
std::string series_line(const SeriesText& t);

// The series' labels in Prometheus notation, {job="node", path="a\"b"},
// minus the metric name and `shown_instance` (already in the message); ""
// when none are left.
std::string extra_labels(const Notification& n, const std::optional<std::string>& shown_instance);

}  // namespace sentinel::notify
