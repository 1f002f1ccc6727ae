#pragma once
// Writing notifications, shared by the alert engine's store and the
// repositories whose changes end alerts (internal to storage/). Always
// called inside the caller's write transaction, so an event change and its
// outbox row commit together.
#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::storage {

// An active silence matches: same server (or none given), same rule (or
// none given). A NULL server (unregistered instance) only matches
// silences without a server.
bool silenced(soci::session& sql, long long now, const std::optional<std::int64_t>& server_id, long long rule_id);

// Queues one delivery of `kind` ("firing" | "repeat" | "resolved").
void add_outbox(soci::session& sql, long long event_id, const std::string& channel, std::string_view kind,
                const std::string& payload, long long now);

// Ends every alert of rule `rule_id` that is firing: its event is resolved
// now and a resolved notification queued (unless silenced or the rule's
// channel is "none"), and the rule's series state is dropped. For a rule
// that is being deleted or paused: its alerts must not stay "firing"
// forever with nothing left to resolve them. `reason` goes into the
// notification ("rule deleted", ...).
void end_alerts_of_rule(soci::session& sql, long long rule_id, long long now, std::string_view reason);

}  // namespace sentinel::storage
