#pragma once
// The audit log (product.md §7): who changed what, when, from where. An
// entry is written in the same transaction as the change it records.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace sentinel::domain {

// Who acts: a user through a password-issued JWT ("password") or an API
// token ("token"), an operator at the command line ("cli"), or Sentinel
// itself keeping servers in step with Prometheus (DISCOVERY_JOBS, "discovery").
struct AuditActor {
  std::optional<std::int64_t> actor_id;
  std::string actor_email;
  std::string via = "password";  // password | token | cli | discovery
  std::optional<std::int64_t> token_id;
  std::string client_address;
  std::string request_id;

  // The command line: no user, no address.
  static AuditActor cli() { return AuditActor{std::nullopt, "cli", "cli", std::nullopt, "", ""}; }
  // The DISCOVERY_JOBS sync: no user, no address.
  static AuditActor discovery() { return AuditActor{std::nullopt, "discovery", "discovery", std::nullopt, "", ""}; }
};

struct AuditEntry {
  std::int64_t id = 0;
  core::Timestamp at{};
  AuditActor actor;
  std::string action;       // "<target_type>.<verb>": server.create, rule.update, auth.login_failed …
  std::string target_type;  // server, rule, silence, event, user, token, auth
  std::optional<std::string> target_id;
  boost::json::object changes;  // field → [old, new]; secrets as "***"
};

struct AuditFilter {
  std::optional<std::int64_t> actor_id;
  std::optional<std::string> action;
  std::optional<std::string> target_type;
  std::optional<std::string> target_id;
  std::optional<core::Timestamp> since;
  std::int64_t skip = 0;
  std::int64_t limit = 100;
};

// field → [old, new] for every field whose JSON differs between `before`
// and `after` (a field only in one of them counts as null in the other).
// Fields named like secrets (password, password_hash, token, token_hash,
// secrets …) are shown as "***".
boost::json::object audit_changes(const boost::json::object& before, const boost::json::object& after);

boost::json::value to_json(const AuditEntry& e);

}  // namespace sentinel::domain
