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

#include "storage/notification_routes.hpp"

namespace sentinel::storage {

// An active silence matches: same server (or none given), same rule (or
// none given). A NULL server (unregistered instance) only matches
// silences without a server.
bool silenced(soci::session& sql, long long now, const std::optional<std::int64_t>& server_id, long long rule_id);

// Ends every alert of rule `rule_id` that is firing: its event is resolved
// now and a resolved notification queued to each of the rule's targets
// that wants resolutions (unless silenced; routed and grouped as
// notification_routes.hpp says), and the rule's series state is dropped. For a rule
// that is being deleted or paused: its alerts must not stay "firing"
// forever with nothing left to resolve them. `reason` goes into the
// notification ("rule deleted", ...).
void end_alerts_of_rule(soci::session& sql, long long rule_id, long long now, std::string_view reason,
                        const RoutingDefaults& routing);

}  // namespace sentinel::storage
