#include "notify/alert_group.hpp"

#include <string_view>

namespace sentinel::notify {

namespace {

std::optional<std::string> base_url(const AlertGroup& group) {
  if (!group.public_url || group.public_url->empty()) return std::nullopt;
  std::string_view base = *group.public_url;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);  // PUBLIC_URL is validated, but be lenient
  return std::string(base);
}

}  // namespace

std::optional<std::string> event_link(const AlertGroup& group, const Notification& n) {
  auto base = base_url(group);
  if (!base || n.event.id <= 0) return std::nullopt;
  return *base + "/events/" + std::to_string(n.event.id);
}

std::optional<std::string> group_link(const AlertGroup& group) {
  auto base = base_url(group);
  if (!base) return std::nullopt;
  if (group.alerts.size() == 1) {
    if (auto one = event_link(group, group.alerts.front())) return one;
  }
  if (!group.alerts.empty() && group.alerts.front().event.rule_id)
    return *base + "/events?rule=" + std::to_string(*group.alerts.front().event.rule_id);
  return *base + "/events";
}

const std::string& group_rule_name(const AlertGroup& group) {
  static const std::string none;
  return group.alerts.empty() ? none : group.alerts.front().event.rule_name;
}

const std::string& group_severity(const AlertGroup& group) {
  static const std::string fallback = "warning";
  return group.alerts.empty() ? fallback : group.alerts.front().event.severity;
}

}  // namespace sentinel::notify
