#pragma once
// JSON ↔ domain: request bodies are parsed and validated here, collecting
// every bad field into one 422 (FastAPI/pydantic v2 style: loc, msg, type);
// responses are serialized here so every endpoint shows one shape per type.
#include <boost/json/fwd.hpp>
#include <string_view>

#include "core/error.hpp"
#include "domain/alert_event.hpp"
#include "domain/api_token.hpp"
#include "domain/alert_rule.hpp"
#include "domain/server.hpp"
#include "domain/silence.hpp"
#include "domain/user.hpp"

namespace sentinel::domain {

// Malformed JSON → 422 [{"loc": ["body"], "msg": "JSON decode error: …", "type": "json_invalid"}].
core::Result<boost::json::value> parse_json_body(std::string_view body);

boost::json::value to_json(const User& u);  // never includes the password hash
boost::json::value to_json(const Server& s);
boost::json::value to_json(const AlertRule& r);
boost::json::value to_json(const AlertEvent& e);
boost::json::value to_json(const Silence& s);
boost::json::value to_json(const ApiToken& t);  // never the secret

// Body must be a JSON object; unknown keys that are not read-only fields of
// the resource are rejected ("extra_forbidden") to catch typos like
// "treshold"; read-only fields (id, created_at, state, …) are ignored so a
// GET → PATCH round trip works.
core::Result<UserCreate> parse_user_create(const boost::json::value& body);
core::Result<UserPatch> parse_user_patch(const boost::json::value& body);
core::Result<ServerCreate> parse_server_create(const boost::json::value& body);
core::Result<ServerPatch> parse_server_patch(const boost::json::value& body);
core::Result<AlertRuleCreate> parse_alert_rule_create(const boost::json::value& body);
core::Result<AlertRulePatch> parse_alert_rule_patch(const boost::json::value& body);
core::Result<SilenceCreate> parse_silence_create(const boost::json::value& body);
// expires_at, when given, must be later than `now`.
core::Result<ApiTokenCreate> parse_api_token_create(const boost::json::value& body, core::Timestamp now);

// Cross-field rules of a complete rule (after a PATCH is merged): the
// recovery_threshold lies on the resolving side of threshold; a fleet rule
// (server_id null) has no $instance/$job. Field errors use loc ["body", field].
core::Result<void> validate_alert_rule(const AlertRule& merged);

// A new rule as created from `in` (engine fields at their defaults; no validation).
AlertRule make_rule(const AlertRuleCreate& in);

// Applies a PATCH onto a copy of `rule` (no validation).
AlertRule apply_patch(AlertRule rule, const AlertRulePatch& patch);

// Shared checks, also used by the CLI and config.
bool is_valid_email(std::string_view email);
bool is_valid_host_port(std::string_view s);  // "host:port", port 1–65535, host non-empty

}  // namespace sentinel::domain
