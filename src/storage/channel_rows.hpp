#pragma once
// Reading notification_channels rows, and the links between rules and
// channels that both the channel and the rule repositories keep true inside
// their transactions (internal to storage/).
#include <soci/soci.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/channel.hpp"
#include "storage/database.hpp"

namespace sentinel::storage {

// A row: the channel as the API shows it, and its sealed secrets.
struct ChannelRow {
  domain::Channel channel;
  std::string sealed_secrets;
};

// One channel by id. `for_update`: on PostgreSQL the row is locked until the
// transaction ends (SQLite's write transaction already excludes writers).
std::optional<ChannelRow> fetch_channel(soci::session& sql, Dialect dialect, long long id, bool for_update = false);

// One page of channels by id, of one type or of all (type empty).
std::vector<domain::Channel> list_channels(soci::session& sql, const std::string& type, long long skip,
                                           long long limit);

// The ids among `ids` that name no channel. The others are locked against
// deletion (FOR SHARE on PostgreSQL) until the transaction ends, so a rule
// never commits a reference to a channel deleted meanwhile.
std::vector<std::int64_t> missing_channels(soci::session& sql, Dialect dialect, const std::vector<std::int64_t>& ids);

// Ids of the channels whose default_for_severities holds `severity`, by id.
std::vector<std::int64_t> default_channel_ids(soci::session& sql, std::string_view severity);

// send_resolved of each channel among `ids` that exists.
std::map<std::int64_t, bool> channels_send_resolved(soci::session& sql, const std::vector<std::int64_t>& ids);

// A rule that names a channel.
struct RuleRef {
  std::int64_t id = 0;
  std::string name;
};

// The rules whose channel_ids contain `channel_id`, by id.
std::vector<RuleRef> rules_using_channel(soci::session& sql, std::int64_t channel_id);

}  // namespace sentinel::storage
