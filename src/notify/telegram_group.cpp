#include "notify/telegram_group.hpp"

#include <vector>

#include "notify/channel_settings.hpp"
#include "notify/event_text.hpp"
#include "notify/telegram_message.hpp"
#include "notify/telegram_request.hpp"
#include "notify/text_limits.hpp"

namespace sentinel::notify {

namespace {

std::string series_html(const Notification& n) {
  const SeriesText t = series_text(n);
  std::string out = "\xE2\x80\xA2 ";  // "• "
  if (!t.subject.empty()) out += "<b>" + html_escape(t.subject) + "</b>: ";
  out += html_escape(t.value) + " " + t.since;
  if (!t.duration.empty()) out += ", " + t.duration;
  if (!t.labels.empty()) out += " <code>" + html_escape(t.labels) + "</code>";
  return out;
}

std::string link_html(const AlertGroup& group) {
  const auto link = group_link(group);
  if (!link) return {};
  return "\n<a href=\"" + html_escape(*link) + "\">" + std::string(console_link_text) + "</a>";
}

}  // namespace

std::string format_telegram_group(const AlertGroup& group, std::size_t limit) {
  const std::string link = link_html(group);
  const std::size_t link_units = telegram_text_length(link);
  if (group.alerts.size() == 1) {
    const std::size_t room = limit > link_units ? limit - link_units : 0;
    return truncate_telegram_html(format_telegram_message(group.alerts.front(), room) + link, limit);
  }
  std::string head(telegram_heading(group.kind));
  head += " \xC2\xB7 <b>" + html_escape(group_rule_name(group)) + "</b> \xC2\xB7 " +
          std::to_string(group.alerts.size()) + " alerts";
  head += "\nSeverity: " + html_escape(group_severity(group));
  if (const auto d = group_description(group)) head += "\n<i>" + html_escape(*d) + "</i>";

  std::vector<std::string> lines;
  lines.reserve(group.alerts.size());
  for (const auto& n : group.alerts) lines.push_back(series_html(n));
  const std::size_t fixed = telegram_text_length(head) + 1 + link_units;  // +1: the newline before the list
  const std::size_t room = limit > fixed ? limit - fixed : 0;
  const std::string list = join_within(lines, "\n", room, [](std::string_view s) { return telegram_text_length(s); });
  return truncate_telegram_html(head + "\n" + list + link, limit);
}

std::expected<RequestPlan, std::string> telegram_requests(const boost::json::object& settings,
                                                          const AlertGroup& group) {
  SettingsReader read(settings);
  const std::string token = read.required_token("bot_token");
  TelegramTarget target;
  target.chat_id = read.required_string("chat_id");
  target.message_thread_id = read.optional_int("message_thread_id");
  const std::string api_url = read.optional_url("api_url").value_or("https://api.telegram.org");
  // Only the environment-configured channel has it (TELEGRAM_SILENT_RESOLVED).
  if (const auto it = settings.find("silent_resolved"); it != settings.end() && it->value().is_bool())
    target.silent_resolved = it->value().get_bool();
  if (read.error()) return std::unexpected(*read.error());

  OutboundRequest r = json_request("Telegram", telegram_send_message_url(api_url, token),
                                   telegram_send_message_body(target, format_telegram_group(group), group.kind));
  r.secrets = {token};
  r.answer = AnswerStyle::telegram;
  return RequestPlan{{std::move(r)}, true};
}

}  // namespace sentinel::notify
