#include "notify/ntfy_message.hpp"

#include <vector>

#include "notify/channel_settings.hpp"
#include "notify/event_text.hpp"
#include "notify/mime_encoding.hpp"
#include "notify/text_limits.hpp"

namespace sentinel::notify {

namespace {

int priority_of(const AlertGroup& group) {
  if (group.kind == NotificationKind::resolved) return 2;
  const std::string& severity = group_severity(group);
  if (severity == "critical") return 5;
  if (severity == "warning") return 4;
  return 3;
}

std::string tags_of(const AlertGroup& group) {
  if (group.kind == NotificationKind::resolved) return "white_check_mark,resolved";
  const std::string& severity = group_severity(group);
  std::string tags = group.kind == NotificationKind::repeat ? "repeat" : "rotating_light";
  // Only Sentinel's own severities: a tag list is comma-separated, a free text could split it.
  if (severity == "critical" || severity == "warning" || severity == "info") tags += "," + severity;
  return tags;
}

std::size_t bytes(std::string_view s) { return s.size(); }

}  // namespace

NtfyMessage ntfy_message(const AlertGroup& group) {
  NtfyMessage m;
  m.title = group_title(group);
  m.priority = priority_of(group);
  m.tags = tags_of(group);
  m.click = group_link(group);

  std::string head = group_summary(group);
  if (const auto d = group_description(group)) head += "\n" + cut_to_bytes(*d, 1000);
  std::vector<std::string> lines;
  lines.reserve(group.alerts.size());
  for (const auto& n : group.alerts) lines.push_back(series_line(n));
  const std::size_t room = ntfy_max_message_bytes - head.size() - 1;
  m.body = cut_to_bytes(head + "\n" + join_within(lines, "\n", room, bytes), ntfy_max_message_bytes);
  return m;
}

std::expected<RequestPlan, std::string> ntfy_requests(const boost::json::object& settings, const AlertGroup& group) {
  SettingsReader read(settings);
  const std::string url = read.required_url("url");
  const auto token = read.optional_token("token");
  if (read.error()) return std::unexpected(*read.error());

  const NtfyMessage m = ntfy_message(group);
  OutboundRequest r;
  r.target = "ntfy";
  r.url = url;
  r.headers = {"Content-Type: text/plain; charset=utf-8", "Title: " + encode_header_value(m.title, " "),
               "Priority: " + std::to_string(m.priority), "Tags: " + m.tags};
  if (m.click) r.headers.push_back("Click: " + header_text(*m.click));
  r.body = m.body;
  r.secrets = url_secrets(url);
  if (token) {
    r.headers.push_back("Authorization: Bearer " + *token);
    r.secrets.push_back(*token);
  }
  return RequestPlan{{std::move(r)}, true};
}

}  // namespace sentinel::notify
