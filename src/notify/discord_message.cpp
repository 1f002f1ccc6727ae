#include "notify/discord_message.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <vector>

#include "core/utf8.hpp"
#include "notify/channel_settings.hpp"
#include "notify/event_text.hpp"
#include "notify/text_limits.hpp"

namespace sentinel::notify {

namespace {

constexpr std::int64_t red = 0xE74C3C;
constexpr std::int64_t orange = 0xE67E22;
constexpr std::int64_t green = 0x2ECC71;

std::int64_t color(NotificationKind kind) {
  switch (kind) {
    case NotificationKind::firing: return red;
    case NotificationKind::repeat: return orange;
    case NotificationKind::resolved: return green;
  }
  return red;
}

std::string series_markdown(const Notification& n) {
  const SeriesText t = series_text(n);
  std::string out;
  if (!t.subject.empty()) out = "**" + discord_escape(t.subject) + "**: ";
  out += discord_escape(t.value) + " " + t.since;
  if (!t.duration.empty()) out += ", " + t.duration;
  if (!t.labels.empty()) out += " " + discord_escape(t.labels);
  return out;
}

}  // namespace

std::string discord_escape(std::string_view text) {
  const std::string valid = core::sanitize_utf8(text);
  std::string out;
  out.reserve(valid.size());
  for (const char c : valid) {
    switch (c) {
      case '\\': case '*': case '_': case '~': case '`': case '|': case '[': case ']':
        out += '\\';
        out += c;
        break;
      case '@': out += "@\xE2\x80\x8B"; break;  // U+200B: "@everyone" no longer reads as a mention
      default: out += c;
    }
  }
  return out;
}

boost::json::object discord_message(const AlertGroup& group) {
  const std::string escaped_title = group_title_prefix(group) + " " + discord_escape(group_rule_name(group));
  const std::string title = cut_to_units(escaped_title, discord_max_title);
  const std::string footer = cut_to_units(group_summary(group), discord_max_footer);

  std::string head;
  if (const auto d = group_description(group)) head = "_" + discord_escape(cut_to_units(*d, 1000)) + "_\n";
  std::vector<std::string> lines;
  lines.reserve(group.alerts.size());
  for (const auto& n : group.alerts) lines.push_back(series_markdown(n));
  // The embed's parts share 6000 characters; the description gets what the title and footer leave.
  const std::size_t room = std::min(discord_max_description,
                                    discord_max_embed_total - utf16_length(title) - utf16_length(footer)) -
                           utf16_length(head);
  const std::string description =
      cut_to_units(head + join_within(lines, "\n", room, utf16_length), discord_max_description);

  boost::json::object embed;
  embed["title"] = title;
  if (const auto link = group_link(group)) embed["url"] = *link;
  embed["description"] = description;
  embed["color"] = color(group.kind);
  embed["footer"] = boost::json::object{{"text", footer}};
  if (group.now != core::Timestamp{}) embed["timestamp"] = core::format_iso8601(group.now);

  boost::json::object message;
  message["content"] =
      cut_to_units(std::string(kind_emoji(group.kind)) + " **" + escaped_title + "**", discord_max_content);
  message["embeds"] = boost::json::array{std::move(embed)};
  message["allowed_mentions"] = boost::json::object{{"parse", boost::json::array{}}};
  return message;
}

std::expected<RequestPlan, std::string> discord_requests(const boost::json::object& settings,
                                                         const AlertGroup& group) {
  SettingsReader read(settings);
  const std::string url = read.required_url("webhook_url");
  if (read.error()) return std::unexpected(*read.error());
  OutboundRequest r = json_request("Discord", url, boost::json::serialize(discord_message(group)));
  r.secrets = url_secrets(url);
  return RequestPlan{{std::move(r)}, true};
}

}  // namespace sentinel::notify
