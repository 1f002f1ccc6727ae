#include "auth/jwt.hpp"

#include <jwt.h>

#include <charconv>
#include <cstdlib>
#include <memory>
#include <optional>

namespace sentinel::auth {

namespace {

struct JwtFree {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

constexpr std::size_t max_token_size = 8192;
constexpr std::size_t max_cached_tokens = 10000;
constexpr auto clock_skew = std::chrono::seconds(60);

const unsigned char* key_bytes(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// A claim that is a JSON integer. Not jwt_get_grant_int: libjwt 1.10 reads
// a string or a fraction as 0 instead of failing.
std::optional<std::int64_t> int_grant(jwt_t* j, const char* name) {
  std::unique_ptr<char, decltype(&std::free)> json(jwt_get_grants_json(j, name), &std::free);
  if (!json) return std::nullopt;
  const std::string_view text(json.get());
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

JwtCodec::JwtCodec(std::string secret, std::chrono::seconds lifetime, core::Clock clock)
    : secret_(std::move(secret)), lifetime_(lifetime), clock_(std::move(clock)) {}

std::string JwtCodec::issue(std::int64_t user_id, std::int64_t token_version) const {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::bad_alloc();
  JwtPtr j(raw);
  const auto now = clock_();
  const auto sub = std::to_string(user_id);
  if (jwt_add_grant(j.get(), "sub", sub.c_str()) != 0 ||
      jwt_add_grant_int(j.get(), "iat", static_cast<long>(core::to_unix(now))) != 0 ||
      jwt_add_grant_int(j.get(), "exp", static_cast<long>(core::to_unix(now + lifetime_))) != 0 ||
      jwt_add_grant_int(j.get(), "ver", static_cast<long>(token_version)) != 0 ||
      jwt_set_alg(j.get(), JWT_ALG_HS256, key_bytes(secret_), static_cast<int>(secret_.size())) != 0)
    throw std::runtime_error("cannot build JWT");
  char* encoded = jwt_encode_str(j.get());
  if (!encoded) throw std::runtime_error("cannot encode JWT");
  std::string out(encoded);
  std::free(encoded);  // libjwt 1.10 allocates with malloc
  return out;
}

core::Result<TokenClaims> JwtCodec::verify(std::string_view token) const {
  if (token.empty() || token.size() > max_token_size) return core::fail(core::Error::unauthorized());
  const std::string key(token);
  std::optional<TokenClaims> cached;
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = verified_.find(key); it != verified_.end()) cached = it->second;
  }
  if (!cached) {
    auto decoded = decode(token);
    if (!decoded) return decoded;
    cached = *decoded;
    std::lock_guard lock(cache_mutex_);
    if (verified_.size() >= max_cached_tokens) verified_.clear();  // bounded; refills with live tokens
    verified_.emplace(key, *cached);
  }
  const auto now = clock_();
  if (cached->expires_at <= now || cached->issued_at > now + clock_skew) return core::fail(core::Error::unauthorized());
  return *cached;
}

core::Result<TokenClaims> JwtCodec::decode(std::string_view token) const {
  const auto unauthorized = [] { return core::fail(core::Error::unauthorized()); };
  const std::string text(token);
  jwt_t* raw = nullptr;
  // With a key, libjwt verifies the HMAC; the algorithm check below makes
  // sure a token cannot choose "none" or another algorithm for itself.
  if (jwt_decode(&raw, text.c_str(), key_bytes(secret_), static_cast<int>(secret_.size())) != 0 || !raw)
    return unauthorized();
  JwtPtr j(raw);
  if (jwt_get_alg(j.get()) != JWT_ALG_HS256) return unauthorized();

  const char* sub = jwt_get_grant(j.get(), "sub");
  auto iat = int_grant(j.get(), "iat");
  auto exp = int_grant(j.get(), "exp");
  auto ver = int_grant(j.get(), "ver");
  if (!sub || !iat || !exp || !ver) return unauthorized();
  std::int64_t user_id = 0;
  const std::string_view sub_text(sub);
  auto [p, ec] = std::from_chars(sub_text.data(), sub_text.data() + sub_text.size(), user_id);
  if (ec != std::errc{} || p != sub_text.data() + sub_text.size() || user_id <= 0) return unauthorized();

  return TokenClaims{user_id, *ver, core::from_unix(*iat), core::from_unix(*exp)};
}

}  // namespace sentinel::auth
