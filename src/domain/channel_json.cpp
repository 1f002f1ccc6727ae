// Channel bodies: POST/PATCH /api/v1/alerts/channels/, the GET shape, and
// how a PATCH merges into a stored channel.
#include <boost/json/array.hpp>
#include <algorithm>
#include <set>

#include "domain/channel.hpp"
#include "domain/json_reader.hpp"
#include "domain/json_writer.hpp"

namespace sentinel::domain {

namespace {

using detail::Presence;

constexpr auto name_rule = detail::StringRule::between(1, 255).non_blank();
constexpr std::string_view severity_order[] = {"info", "warning", "critical"};

// Served by GET, so a GET → PATCH round trip sends them back: ignored.
const std::initializer_list<std::string_view> read_only = {"id", "created_at", "updated_at"};

bool is_placeholder(const boost::json::value& v) { return v.is_string() && v.get_string() == secret_placeholder; }

// default_for_severities: each a severity; duplicates collapse, and the
// list is kept in severity order so two equal sets compare equal.
detail::Read<std::vector<std::string>> read_severities(detail::ObjectReader& r, Presence p) {
  auto v = r.string_list("default_for_severities", p, {}, std::size(severity_order));
  if (!v || !*v) return v;
  std::set<std::string> chosen;
  bool ok = true;
  for (std::size_t i = 0; i < (*v)->size(); ++i) {
    const auto& s = (**v)[i];
    if (std::find(std::begin(severity_order), std::end(severity_order), s) == std::end(severity_order)) {
      r.add_error("default_for_severities", {std::to_string(i)}, "Input should be 'info', 'warning' or 'critical'",
                  "literal_error");
      ok = false;
    }
    chosen.insert(s);
  }
  if (!ok) return std::nullopt;
  std::vector<std::string> out;
  for (const auto s : severity_order)
    if (chosen.count(std::string(s))) out.emplace_back(s);
  return std::optional<std::vector<std::string>>(std::move(out));
}

void errors_into(std::vector<core::FieldError>& into, const core::Error& e) {
  for (const auto& f : e.fields) into.push_back(f);
}

core::Error conflict_secrets_unreadable() {
  return core::Error::conflict(
      "this channel's stored secrets cannot be decrypted with the current SECRET_KEY: send every secret setting "
      "again, or run `sentinel channels rekey` with the previous key");
}

}  // namespace

boost::json::value to_json(const Channel& c) {
  boost::json::object settings = c.settings;
  for (auto& [key, value] : settings)
    if (is_secret_setting(c.type, key) && !value.is_null()) value = secret_placeholder;
  boost::json::array severities;
  for (const auto& s : c.default_for_severities) severities.emplace_back(s);
  return boost::json::object{
      {"id", c.id},
      {"name", c.name},
      {"type", c.type},
      {"settings", std::move(settings)},
      {"send_resolved", c.send_resolved},
      {"default_for_severities", std::move(severities)},
      {"created_at", detail::json_of(c.created_at)},
      {"updated_at", detail::json_of(c.updated_at)},
  };
}

core::Result<ChannelCreate> parse_channel_create(const boost::json::value& body) {
  auto obj = detail::body_object(body);
  if (!obj) return core::fail(obj.error());
  detail::ObjectReader r(**obj);
  ChannelCreate out;
  if (auto v = r.string("name", Presence::required, name_rule)) out.name = std::move(**v);
  const auto type = r.choice("type", Presence::required, channel_types());
  if (type) out.type = **type;
  r.skip("settings");
  const auto* settings = (*obj)->if_contains("settings");
  if (auto v = r.boolean("send_resolved", Presence::optional)) out.send_resolved = **v;
  if (auto v = read_severities(r, Presence::optional)) out.default_for_severities = std::move(**v);

  std::vector<core::FieldError> errors;
  if (auto done = r.finish(read_only); !done) errors_into(errors, done.error());
  if (!settings) {
    errors.push_back({{"body", "settings"}, "Field required", "missing"});
  } else if (type) {
    // Without a valid type there is nothing to check the settings against.
    auto checked = validate_channel_settings(out.type, *settings);
    if (checked)
      out.settings = std::move(*checked);
    else
      errors_into(errors, checked.error());
  }
  if (!errors.empty()) return core::fail(core::Error::invalid(std::move(errors)));
  return out;
}

core::Result<ChannelPatch> parse_channel_patch(const boost::json::value& body) {
  auto obj = detail::body_object(body);
  if (!obj) return core::fail(obj.error());
  detail::ObjectReader r(**obj);
  ChannelPatch out;
  if (auto v = r.string("name", Presence::optional, name_rule)) out.name = std::move(**v);
  if (auto v = r.choice("type", Presence::optional, channel_types())) out.type = std::move(**v);
  r.skip("settings");
  if (const auto* settings = (*obj)->if_contains("settings")) {
    if (const auto* o = settings->if_object())
      out.settings = *o;
    else
      r.add_error("settings", "Input should be a valid dictionary", "dict_type");
  }
  if (auto v = r.boolean("send_resolved", Presence::optional)) out.send_resolved = **v;
  if (auto v = read_severities(r, Presence::optional)) out.default_for_severities = std::move(**v);
  if (auto done = r.finish(read_only); !done) return core::fail(done.error());
  return out;
}

core::Result<ChannelUpdate> apply_channel_patch(const Channel& current,
                                                const std::optional<boost::json::object>& stored_secrets,
                                                const ChannelPatch& patch) {
  ChannelUpdate out;
  out.channel = current;
  if (patch.name) out.channel.name = *patch.name;
  if (patch.send_resolved) out.channel.send_resolved = *patch.send_resolved;
  if (patch.default_for_severities) out.channel.default_for_severities = *patch.default_for_severities;
  const bool new_type = patch.type && *patch.type != current.type;
  if (new_type) out.channel.type = *patch.type;

  // The settings before validation, secrets in clear where they are known.
  boost::json::object merged;
  bool keeps_unreadable = false;
  if (new_type) {
    if (!patch.settings)
      return core::fail(core::Error::invalid_field(
          {"body", "settings"}, "Field required: a new type needs its whole settings object", "missing"));
    merged = *patch.settings;  // a "***" in it is refused by the validation: nothing of the old type is kept
  } else {
    for (const auto& [key, value] : current.settings) {
      if (!is_secret_setting(current.type, key) || !is_placeholder(value)) {
        merged[key] = value;
      } else if (stored_secrets && stored_secrets->contains(key)) {
        merged[key] = stored_secrets->at(key);
      } else {
        merged[key] = secret_placeholder;  // unknown value: fine only if the patch replaces or removes it
      }
    }
    if (patch.settings) {
      for (const auto& [key, value] : *patch.settings) {
        if (value.is_null())
          merged.erase(key);
        else if (!(is_secret_setting(current.type, key) && is_placeholder(value) && merged.contains(key)))
          merged[key] = value;  // "***" for a secret that is set keeps it; for one that is not, it is refused below
      }
    }
    for (const auto& [key, value] : merged)
      if (is_secret_setting(current.type, key) && is_placeholder(value) &&
          !(stored_secrets && stored_secrets->contains(key)) && current.settings.contains(key))
        keeps_unreadable = true;
  }
  if (keeps_unreadable) return core::fail(conflict_secrets_unreadable());

  auto checked = validate_channel_settings(out.channel.type, boost::json::value(merged));
  if (!checked) return core::fail(checked.error());
  out.channel.settings = std::move(checked->shown);
  out.secrets = std::move(checked->secrets);

  // Secret keys set, changed or removed: compared with the stored values
  // when they are known, else every secret key of either side.
  std::set<std::string> keys;
  for (const auto& [key, value] : current.settings)
    if (is_secret_setting(current.type, key)) keys.emplace(key);
  for (const auto& [key, value] : out.secrets) keys.emplace(key);
  for (const auto& key : keys) {
    const auto* before = stored_secrets ? stored_secrets->if_contains(key) : nullptr;
    const auto* after = out.secrets.if_contains(key);
    const bool same = !new_type && stored_secrets && ((!before && !after) || (before && after && *before == *after));
    if (!same) out.changed_secrets.push_back(key);
  }
  return out;
}

ResolvedChannel resolve_channel(const Channel& c, const boost::json::object& secrets) {
  ResolvedChannel out{c.id, c.name, c.type, {}, c.send_resolved, c.default_for_severities};
  for (const auto& [key, value] : c.settings) {
    if (is_secret_setting(c.type, key)) {
      if (const auto* v = secrets.if_contains(key)) out.settings[key] = *v;
    } else {
      out.settings[key] = value;
    }
  }
  return out;
}

core::Error unknown_channels_error(const std::vector<std::int64_t>& missing) {
  std::string msg = "Value error, channel not found: ";
  for (std::size_t i = 0; i < missing.size(); ++i) msg += (i ? ", " : "") + std::to_string(missing[i]);
  return core::Error::invalid_field({"body", "channel_ids"}, std::move(msg), "value_error");
}

}  // namespace sentinel::domain
