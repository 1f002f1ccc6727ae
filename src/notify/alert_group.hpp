#pragma once
// The input of every channel formatter: the notifications of one rule that
// go out together (product.md §9 grouping: a fleet rule firing on 300 servers
// sends one message, not 300), and what every formatter needs beside them.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "notify/notification.hpp"

namespace sentinel::notify {

struct AlertGroup {
  NotificationKind kind = NotificationKind::firing;  // of the whole group: one message says one thing
  std::vector<Notification> alerts;                  // non-empty, all of one rule
  // PUBLIC_URL ("https://sentinel.example.com", no trailing slash): links back
  // to the console. Unset: messages carry no link.
  std::optional<std::string> public_url;
  core::Timestamp now{};  // when the message is built (email Date, Alertmanager's endsAt)
};

// The words every message puts on its link to the console.
inline constexpr std::string_view console_link_text = "Open in Sentinel";

// `{public_url}/events/{event_id}`: the console page of one alert. nullopt
// without a public URL or for an alert with no stored event (the test alert).
std::optional<std::string> event_link(const AlertGroup& group, const Notification& n);

// The console page for the whole group: the alert's own page for a group of
// one, else `{public_url}/events?rule={rule_id}`, else `{public_url}/events`.
// nullopt without a public URL.
std::optional<std::string> group_link(const AlertGroup& group);

// The rule the group is about, as its first alert names it ("" for an empty
// group, which callers never build).
const std::string& group_rule_name(const AlertGroup& group);
// The first alert's severity ("warning" for an empty group).
const std::string& group_severity(const AlertGroup& group);

}  // namespace sentinel::notify
