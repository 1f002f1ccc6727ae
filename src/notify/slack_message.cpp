#include "notify/slack_message.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "core/utf8.hpp"
#include "notify/channel_settings.hpp"
#include "notify/event_text.hpp"
#include "notify/text_limits.hpp"

namespace sentinel::notify {

namespace {

boost::json::object text_object(std::string_view type, std::string text) {
  return boost::json::object{{"type", type}, {"text", std::move(text)}};
}

boost::json::object section(std::string mrkdwn) {
  return boost::json::object{{"type", "section"},
                             {"text", text_object("mrkdwn", cut_to_units(mrkdwn, slack_max_section_text))}};
}

boost::json::object context(std::string mrkdwn) {
  return boost::json::object{
      {"type", "context"},
      {"elements", boost::json::array{text_object("mrkdwn", cut_to_units(mrkdwn, slack_max_section_text))}}};
}

std::string series_mrkdwn(const Notification& n) {
  const SeriesText t = series_text(n);
  std::string out;
  if (!t.subject.empty()) out = "*" + slack_escape(t.subject) + "*\n";
  out += slack_escape(t.value) + " " + t.since;
  if (!t.duration.empty()) out += ", " + t.duration;
  if (!t.labels.empty()) out += " `" + slack_escape(t.labels) + "`";
  return out;
}

}  // namespace

std::string slack_escape(std::string_view text) {
  const std::string valid = core::sanitize_utf8(text);
  std::string out;
  out.reserve(valid.size());
  for (const char c : valid) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

boost::json::object slack_message(const AlertGroup& group) {
  const std::string title = std::string(kind_emoji(group.kind)) + " " + group_title(group);
  const auto link = group_link(group);

  boost::json::array blocks;
  blocks.push_back(boost::json::object{
      {"type", "header"}, {"text", text_object("plain_text", cut_to_units(title, slack_max_header_text))}});
  std::string summary = "*" + slack_escape(group_summary(group)) + "*";
  if (const auto d = group_description(group)) summary += "\n_" + slack_escape(*d) + "_";
  blocks.push_back(section(std::move(summary)));

  const std::size_t slots = slack_max_blocks - blocks.size() - (link ? 1 : 0);
  const std::size_t shown = items_to_show(group.alerts.size(), slots);
  for (std::size_t i = 0; i < shown; ++i) blocks.push_back(section(series_mrkdwn(group.alerts[i])));
  if (shown < group.alerts.size()) blocks.push_back(context(and_more(group.alerts.size() - shown)));
  // Link syntax <url|text>: the URL is ours (PUBLIC_URL and numbers), but escaped all the same.
  if (link) blocks.push_back(context("<" + slack_escape(*link) + "|" + std::string(console_link_text) + ">"));

  boost::json::object message;
  message["text"] = cut_to_units(slack_escape(title), slack_max_section_text);
  message["blocks"] = std::move(blocks);
  return message;
}

std::expected<RequestPlan, std::string> slack_requests(const boost::json::object& settings, const AlertGroup& group) {
  SettingsReader read(settings);
  const std::string url = read.required_url("webhook_url");
  if (read.error()) return std::unexpected(*read.error());
  OutboundRequest r = json_request("Slack", url, boost::json::serialize(slack_message(group)));
  r.secrets = url_secrets(url);
  return RequestPlan{{std::move(r)}, true};
}

}  // namespace sentinel::notify
