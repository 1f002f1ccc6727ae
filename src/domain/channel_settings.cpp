// The settings of each channel type (product.md §9) and their validation:
// one table says which keys a type has, which are required and which are
// secret; everything else (422s, the "***" masking, what the dispatcher
// gets) is derived from it.
#include <boost/json/array.hpp>
#include <boost/url/parse.hpp>
#include <algorithm>
#include <array>

#include "domain/channel.hpp"
#include "domain/json.hpp"
#include "domain/json_reader.hpp"

namespace sentinel::domain {

namespace {

using detail::Presence;

enum class Kind {
  token,         // a secret string: token, password, routing key
  text,          // a short plain string (username)
  chat_id,       // Telegram chat: "@channel" or a number (stored as its decimal string)
  thread_id,     // a positive integer
  port,          // 1..65535
  url,           // http(s) with a host
  public_url,    // the same, without credentials (it is shown to viewers)
  topic_url,     // a public URL with a path: ntfy's server and topic
  host,          // an SMTP host name or address
  security,      // starttls | tls | none
  email,         // one address
  email_list,    // 1..max_channel_list_items addresses
  url_list,      // 1..max_channel_list_items public URLs
};

struct Setting {
  std::string_view key;
  Kind kind;
  bool required;
  bool secret;
};

constexpr bool required = true, optional = false, secret = true, shown = false;

constexpr Setting telegram[] = {{"bot_token", Kind::token, required, secret},
                                {"chat_id", Kind::chat_id, required, shown},
                                {"message_thread_id", Kind::thread_id, optional, shown},
                                {"api_url", Kind::public_url, optional, shown}};
// Either a bearer token or basic auth (username and password), or neither.
constexpr Setting webhook[] = {{"url", Kind::url, required, secret},
                               {"bearer_token", Kind::token, optional, secret},
                               {"username", Kind::text, optional, shown},
                               {"password", Kind::token, optional, secret}};
constexpr Setting slack[] = {{"webhook_url", Kind::url, required, secret}};
constexpr Setting discord[] = {{"webhook_url", Kind::url, required, secret}};
constexpr Setting email[] = {{"smtp_host", Kind::host, required, shown},
                             {"smtp_port", Kind::port, required, shown},
                             {"security", Kind::security, required, shown},
                             {"username", Kind::text, optional, shown},
                             {"password", Kind::token, optional, secret},
                             {"from", Kind::email, required, shown},
                             {"to", Kind::email_list, required, shown}};
constexpr Setting pagerduty[] = {{"routing_key", Kind::token, required, secret},
                                 {"api_url", Kind::public_url, optional, shown}};
constexpr Setting alertmanager[] = {{"urls", Kind::url_list, required, shown}};
constexpr Setting ntfy[] = {{"url", Kind::topic_url, required, shown}, {"token", Kind::token, optional, secret}};

struct TypeSpec {
  std::string_view type;
  std::span<const Setting> settings;
};

constexpr TypeSpec type_specs[] = {{"telegram", telegram}, {"webhook", webhook},     {"slack", slack},
                                   {"discord", discord},   {"email", email},         {"pagerduty", pagerduty},
                                   {"alertmanager", alertmanager}, {"ntfy", ntfy}};

constexpr std::array<std::string_view, std::size(type_specs)> type_names = [] {
  std::array<std::string_view, std::size(type_specs)> names{};
  for (std::size_t i = 0; i < names.size(); ++i) names[i] = type_specs[i].type;
  return names;
}();

const TypeSpec* spec_of(std::string_view type) {
  for (const auto& t : type_specs)
    if (t.type == type) return &t;
  return nullptr;
}

// Control characters would end a header line (tokens go into Authorization
// headers, hosts into SMTP commands) or a log line.
bool is_clean(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

bool is_http_url_with(std::string_view s, bool allow_credentials, bool needs_path) {
  if (!is_clean(s)) return false;
  auto parsed = boost::urls::parse_absolute_uri(s);
  if (!parsed) return false;
  const auto& u = *parsed;
  std::string scheme(u.scheme());
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  if (scheme != "http" && scheme != "https") return false;
  if (!u.has_authority() || u.encoded_host().empty()) return false;
  if (!allow_credentials && u.has_userinfo()) return false;
  if (needs_path && u.encoded_path().size() <= 1) return false;
  return true;
}

bool is_url(std::string_view s) { return is_http_url_with(s, true, false); }
bool is_public_url(std::string_view s) { return is_http_url_with(s, false, false); }
bool is_topic_url(std::string_view s) { return is_http_url_with(s, false, true); }

bool is_host(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_' || c == ':' || c == '[' || c == ']';
  });
}

bool is_email(std::string_view s) { return is_valid_email(s); }

constexpr std::string_view url_msg = "Value error, must be an http:// or https:// URL with a host";
constexpr std::string_view public_url_msg =
    "Value error, must be an http:// or https:// URL with a host and no credentials (this setting is shown to "
    "every viewer; put credentials in a secret setting)";
constexpr std::string_view topic_url_msg =
    "Value error, must be an http:// or https:// URL of the server and the topic (https://ntfy.sh/my-topic), "
    "without credentials (use token)";
constexpr std::string_view clean_msg = "Value error, must not contain control characters";

constexpr auto token_rule = detail::StringRule::between(1, 4096).non_blank().checked(is_clean, clean_msg);
constexpr auto text_rule = detail::StringRule::between(1, 255).non_blank().checked(is_clean, clean_msg);
constexpr auto chat_rule = detail::StringRule::between(1, 255).non_blank().checked(is_clean, clean_msg);
constexpr auto url_rule = detail::StringRule::between(1, 2048).checked(is_url, url_msg);
constexpr auto public_url_rule = detail::StringRule::between(1, 2048).checked(is_public_url, public_url_msg);
constexpr auto topic_url_rule = detail::StringRule::between(1, 2048).checked(is_topic_url, topic_url_msg);
constexpr auto host_rule = detail::StringRule::between(1, 253).checked(
    is_host, "Value error, must be a host name or an IP address");
constexpr auto email_rule = detail::StringRule::between(1, 254).checked(is_email, "value is not a valid email address");
const detail::IntRule port_rule{1, 65535};
const detail::IntRule thread_rule{1, std::nullopt};

// Reads one setting; nullopt when absent or invalid (the reader holds the error).
std::optional<boost::json::value> read_setting(detail::ObjectReader& r, const boost::json::object& settings,
                                               const Setting& s) {
  const auto p = s.required ? Presence::required : Presence::optional;
  auto string = [&](const detail::StringRule& rule) -> std::optional<boost::json::value> {
    if (auto v = r.string(s.key, p, rule)) return boost::json::value(**v);
    return std::nullopt;
  };
  auto list = [&](const detail::StringRule& rule) -> std::optional<boost::json::value> {
    auto v = r.string_list(s.key, p, rule, max_channel_list_items);
    if (!v) return std::nullopt;
    if ((*v)->empty()) {
      r.add_error(s.key, "List should have at least 1 item after validation, not 0", "too_short");
      return std::nullopt;
    }
    boost::json::array out;
    for (auto& item : **v) out.emplace_back(item);
    return boost::json::value(std::move(out));
  };
  switch (s.kind) {
    case Kind::token: return string(token_rule);
    case Kind::text: return string(text_rule);
    case Kind::public_url: return string(public_url_rule);
    case Kind::url: return string(url_rule);
    case Kind::topic_url: return string(topic_url_rule);
    case Kind::host: return string(host_rule);
    case Kind::email: return string(email_rule);
    case Kind::email_list: return list(email_rule);
    case Kind::url_list: return list(public_url_rule);
    case Kind::security:
      if (auto v = r.choice(s.key, p, {"starttls", "tls", "none"})) return boost::json::value(**v);
      return std::nullopt;
    case Kind::port:
      if (auto v = r.integer(s.key, p, port_rule)) return boost::json::value(**v);
      return std::nullopt;
    case Kind::thread_id:
      if (auto v = r.integer(s.key, p, thread_rule)) return boost::json::value(**v);
      return std::nullopt;
    case Kind::chat_id: {
      // Telegram takes a numeric id or "@channelusername"; both are kept as a string.
      const auto* v = settings.if_contains(s.key);
      if (v && (v->is_int64() || v->is_uint64() || v->is_double())) {
        if (auto n = r.integer(s.key, p)) return boost::json::value(std::to_string(**n));
        return std::nullopt;
      }
      return string(chat_rule);
    }
  }
  return std::nullopt;
}

// A setting that makes sense only together with another one.
void require_pair(detail::ObjectReader& r, const boost::json::object& out, std::string_view a, std::string_view b) {
  if (out.contains(a) && !out.contains(b))
    r.add_error(b, detail::value_error_msg(std::string(b) + " is required with " + std::string(a)), "value_error");
}

void cross_checks(std::string_view type, detail::ObjectReader& r, const boost::json::object& all) {
  if (type == "webhook") {
    if (all.contains("bearer_token") && (all.contains("username") || all.contains("password")))
      r.add_error("bearer_token",
                  detail::value_error_msg("use either bearer_token or username and password, not both"),
                  "value_error");
    require_pair(r, all, "password", "username");
    require_pair(r, all, "username", "password");
  } else if (type == "email") {
    require_pair(r, all, "password", "username");
    require_pair(r, all, "username", "password");
  }
}

}  // namespace

std::span<const std::string_view> channel_types() { return type_names; }

bool is_secret_setting(std::string_view type, std::string_view key) {
  const auto* spec = spec_of(type);
  if (!spec) return false;
  return std::any_of(spec->settings.begin(), spec->settings.end(),
                     [&](const Setting& s) { return s.key == key && s.secret; });
}

core::Result<ChannelSettings> validate_channel_settings(std::string_view type, const boost::json::value& settings) {
  const auto* obj = settings.if_object();
  if (!obj)
    return core::fail(core::Error::invalid_field({"body", "settings"}, "Input should be a valid dictionary",
                                                 "dict_type"));
  const auto* spec = spec_of(type);
  if (!spec) return core::fail(core::Error::internal("unknown channel type"));
  detail::ObjectReader r(*obj, {"body", "settings"});
  boost::json::object all;  // every valid setting, for the cross-field checks
  ChannelSettings out;
  for (const auto& s : spec->settings) {
    const auto* sent = obj->if_contains(s.key);
    if (s.secret && sent && sent->is_string() && sent->get_string() == secret_placeholder) {
      r.skip(s.key);
      r.add_error(s.key,
                  detail::value_error_msg("\"***\" stands for a stored secret and there is none to keep here; "
                                          "send the value"),
                  "value_error");
      continue;
    }
    auto value = read_setting(r, *obj, s);
    if (!value) continue;
    all[s.key] = *value;
    if (s.secret) {
      out.secrets[s.key] = std::move(*value);
      out.shown[s.key] = secret_placeholder;
    } else {
      out.shown[s.key] = std::move(*value);
    }
  }
  cross_checks(type, r, all);
  if (auto done = r.finish({}); !done) return core::fail(done.error());
  return out;
}

}  // namespace sentinel::domain
