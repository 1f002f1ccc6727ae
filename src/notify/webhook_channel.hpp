#pragma once
// The `webhook` channel (product.md §9): one POST of the group's
// Alertmanager v4 payload (webhook_group_payload) to the receiver.
#include <boost/json/object.hpp>
#include <expected>
#include <string>

#include "notify/alert_group.hpp"
#include "notify/outbound_request.hpp"

namespace sentinel::notify {

// Settings: url; then either bearer_token (an "Authorization: Bearer"
// header) or basic_auth {username, password} (username and password at the
// top level are read the same way), not both. The URL (its query may hold a
// token), the bearer token and the password are secrets of the request.
// Fails with the settings' first problem.
std::expected<RequestPlan, std::string> webhook_requests(const boost::json::object& settings,
                                                         const AlertGroup& group);

}  // namespace sentinel::notify
