#pragma once
// API tokens (product.md §7). Only a hash of each secret is stored; the
// lookup by hash is what authenticates a request.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/api_token.hpp"
#include "domain/audit.hpp"
#include "storage/database.hpp"

namespace sentinel::storage {

// A token as authentication sees it: with its state.
struct StoredApiToken {
  domain::ApiToken token;
  bool revoked = false;
};

class ApiTokenRepository {
 public:
  ApiTokenRepository(Database& db, core::Clock clock) : db_(db), clock_(std::move(clock)) {}

  // Stores a new token for `user_id` whose secret hashes to `token_hash`;
  // audited as token.create.
  domain::ApiToken create(std::int64_t user_id, const domain::ApiTokenCreate& in, domain::Role role,
                          const std::string& token_hash, const domain::AuditActor& actor);

  // The caller's tokens (revoked ones left out), newest first.
  std::vector<domain::ApiToken> list(std::int64_t user_id);
  // not_found "Token not found" (also when revoked).
  core::Result<domain::ApiToken> get(std::int64_t id);

  // Revokes it (kept as a row for the audit log's sake); audited as
  // token.delete. not_found when absent or already revoked.
  core::Result<void> revoke(std::int64_t id, const domain::AuditActor& actor);

  // By the hash of its secret, revoked or not.
  std::optional<StoredApiToken> find_by_hash(const std::string& token_hash);

  // Records a use (callers rate-limit this: it is a write).
  void touch(std::int64_t id, core::Timestamp at);

 private:
  Database& db_;
  core::Clock clock_;
};

}  // namespace sentinel::storage
