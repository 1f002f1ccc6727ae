#pragma once
// Notification channels (product.md §9): where alerts are sent, stored as
// data. Settings are per type; the secret ones (tokens, passwords, routing
// keys, webhook URLs) are write-only: a Channel holds "***" in their place
// and never their value, so nothing that serializes a Channel can leak one.
// Their values exist only in ResolvedChannel (for sending) and, encrypted,
// in the database.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"

namespace sentinel::domain {

// A secret setting that is set, as the API shows it; in a PATCH, "keep the
// stored value".
inline constexpr std::string_view secret_placeholder = "***";
// Bounds on what clients can make Sentinel store (product.md §7).
inline constexpr std::size_t max_channels = 1000;
inline constexpr std::size_t max_channel_list_items = 100;  // email to[], alertmanager urls[]

// The §9 types, in the order the API documents them.
std::span<const std::string_view> channel_types();

// Whether `key` is a secret setting of `type` (false for unknown ones).
bool is_secret_setting(std::string_view type, std::string_view key);

struct Channel {
  std::int64_t id = 0;
  std::string name;
  std::string type;
  // The non-secret settings, and "***" for each secret setting that is set.
  boost::json::object settings;
  bool send_resolved = true;
  // Severities this channel receives when a rule names no channel: a subset
  // of info, warning, critical, in that order.
  std::vector<std::string> default_for_severities;
  core::Timestamp created_at{};
  core::Timestamp updated_at{};
};

// Valid settings of one type, split by what may be shown.
struct ChannelSettings {
  boost::json::object shown;    // non-secret settings + "***" per secret that is set
  boost::json::object secrets;  // secret key → value; stored only encrypted
};

struct ChannelCreate {
  std::string name;
  std::string type;
  ChannelSettings settings;
  bool send_resolved = true;
  std::vector<std::string> default_for_severities;
};

// PATCH: absent fields keep their value. `settings` is checked against the
// stored channel by apply_channel_patch (it needs the type and the secrets).
struct ChannelPatch {
  std::optional<std::string> name;
  std::optional<std::string> type;
  std::optional<boost::json::object> settings;
  std::optional<bool> send_resolved;
  std::optional<std::vector<std::string>> default_for_severities;
};

// A channel after a PATCH, with its secrets in clear (to be sealed), and the
// secret keys whose value was set, changed or removed (for the audit log).
struct ChannelUpdate {
  Channel channel;
  boost::json::object secrets;
  std::vector<std::string> changed_secrets;
};

// What a notifier sends with: every setting in clear, secrets included,
// under §9's names (e.g. telegram: bot_token, chat_id, message_thread_id?,
// api_url?). Keys of optional settings that are not set are absent.
struct ResolvedChannel {
  std::int64_t id = 0;
  std::string name;
  std::string type;
  boost::json::object settings;
  bool send_resolved = true;
  std::vector<std::string> default_for_severities;
};

struct ChannelFilter {
  std::optional<std::string> type;
  std::int64_t skip = 0;
  std::int64_t limit = 100;
};

// The API's shape. Any secret setting is written as "***" whatever the
// object holds (defence in depth: a Channel should never hold one).
boost::json::value to_json(const Channel& c);

// POST /api/v1/alerts/channels/: name, type, settings (validated for the
// type: unknown keys, missing required ones, URLs that are not http(s) with
// a host, invalid emails, lists over max_channel_list_items → 422 at
// ["body", "settings", key(, index)]), send_resolved, default_for_severities.
core::Result<ChannelCreate> parse_channel_create(const boost::json::value& body);

// PATCH /api/v1/alerts/channels/{id}: the fields' shapes only.
core::Result<ChannelPatch> parse_channel_patch(const boost::json::value& body);

// `current` with `patch` applied. Settings merge key by key into the stored
// ones: a key sent replaces, null removes an optional key, a secret sent as
// "***" or omitted keeps its stored value; then the whole is validated as a
// create's. A new type needs a whole settings object (no "***" in it).
// `stored_secrets` is nullopt when they could not be decrypted: a patch
// that would keep one then fails (conflict) instead of losing it.
core::Result<ChannelUpdate> apply_channel_patch(const Channel& current,
                                                const std::optional<boost::json::object>& stored_secrets,
                                                const ChannelPatch& patch);

// Every setting in clear: `c.settings` with each "***" replaced by its value
// from `secrets`.
ResolvedChannel resolve_channel(const Channel& c, const boost::json::object& secrets);

// Validates `settings` as the whole settings object of `type` (errors at
// ["body", "settings", …]) and splits it. A secret equal to "***" is a 422:
// it stands for a stored value and there is none to keep here.
core::Result<ChannelSettings> validate_channel_settings(std::string_view type, const boost::json::value& settings);

// A rule naming channels that do not exist: 422 "Value error, channel not
// found: 3, 7" at ["body", "channel_ids"].
core::Error unknown_channels_error(const std::vector<std::int64_t>& missing);

}  // namespace sentinel::domain
