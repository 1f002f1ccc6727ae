#pragma once
// HS256 JWTs through libjwt: {"sub": "<user id>", "iat", "exp", "ver"}.
// "ver" is the user's token_version: bumping it revokes every older token.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/time.hpp"

namespace sentinel::auth {

struct TokenClaims {
  std::int64_t user_id = 0;
  std::int64_t token_version = 0;
  core::Timestamp issued_at{};
  core::Timestamp expires_at{};
};

class JwtCodec {
 public:
  JwtCodec(std::string secret, std::chrono::seconds lifetime, core::Clock clock);

  std::string issue(std::int64_t user_id, std::int64_t token_version) const;

  // unauthorized for: malformed token, any alg but HS256 (including "none"),
  // wrong signature, expired, missing/ill-typed claims.
  // Signature checks are cached per token text (bounded), so a client that
  // sends the same token on every request costs one HMAC, not one each
  // time; expiry is still checked on every call.
  core::Result<TokenClaims> verify(std::string_view token) const;

  std::chrono::seconds lifetime() const { return lifetime_; }

 private:
  core::Result<TokenClaims> decode(std::string_view token) const;

  std::string secret_;
  std::chrono::seconds lifetime_;
  core::Clock clock_;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, TokenClaims> verified_;  // token → claims
};

}  // namespace sentinel::auth
