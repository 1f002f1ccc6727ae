#include "auth/auth_service.hpp"

#include <algorithm>

#include "auth/api_token_secret.hpp"
#include "auth/password.hpp"

namespace sentinel::auth {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

core::Error wrong_credentials() { return core::Error::unauthorized("Incorrect email or password"); }

}  // namespace

core::Result<LoginAttempt> AuthService::begin_login(std::string_view email, std::string_view client_address) {
  LoginAttempt a;
  const auto normalized = lower(email);
  // The account's count is kept per client address: failures elsewhere
  // (an attacker guessing) never lock the owner out (product.md §7).
  a.address_key = "ip:" + std::string(client_address);
  a.account_key = "user:" + normalized + "|ip:" + std::string(client_address);
  const auto wait = std::max(per_address_.retry_after(a.address_key).value_or(0),
                             per_account_.retry_after(a.account_key).value_or(0));
  if (wait > 0) return core::fail(core::Error::rate_limited(wait, "Too many login attempts, try again later"));
  if (normalized.size() <= 254) a.user = users_.find_by_email(normalized);
  return a;
}

bool AuthService::check_password(const LoginAttempt& attempt, std::string_view password) {
  if (!attempt.user) {
    verify_dummy_password(password);  // same cost as a real check
    return false;
  }
  return verify_password(attempt.user->password_hash, password);
}

core::Result<LoginResult> AuthService::finish_login(const LoginAttempt& attempt, bool password_ok) {
  if (!password_ok) {
    per_address_.record_failure(attempt.address_key);
    per_account_.record_failure(attempt.account_key);
    return core::fail(wrong_credentials());
  }
  const auto& user = *attempt.user;
  // Only someone who knows the password learns that the account is inactive.
  if (!user.is_active) return core::fail(core::Error::forbidden("Inactive user"));
  per_account_.reset(attempt.account_key);
  return LoginResult{jwt_.issue(user.id, user.token_version), jwt_.lifetime().count(), user.id};
}

core::Result<LoginResult> AuthService::login(std::string_view email, std::string_view password,
                                             std::string_view client_address) {
  auto attempt = begin_login(email, client_address);
  if (!attempt) return core::fail(attempt.error());
  return finish_login(*attempt, check_password(*attempt, password));
}

std::optional<domain::User> AuthService::cached_user(std::int64_t user_id) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = users_cache_.find(user_id); it != users_cache_.end() && now - it->second.fetched < user_cache_ttl)
      return it->second.user;
  }
  auto fetched = users_.get(user_id);
  if (!fetched) return std::nullopt;
  std::lock_guard lock(cache_mutex_);
  if (users_cache_.size() >= 10000) users_cache_.clear();  // bounded
  users_cache_[fetched->id] = CachedUser{*fetched, now};
  return *fetched;
}

core::Result<Principal> AuthService::authenticate(std::string_view token) {
  if (looks_like_api_token(token)) return authenticate_api_token(token);
  auto claims = jwt_.verify(token);
  if (!claims) return core::fail(claims.error());
  auto user = cached_user(claims->user_id);
  // Deactivated, demoted or password changed since the token was issued:
  // the token is dead, whatever its expiry says.
  if (!user || user->token_version != claims->token_version || !user->is_active)
    return core::fail(core::Error::unauthorized());
  return Principal{*user, user->role, std::nullopt, claims->expires_at};
}

core::Result<Principal> AuthService::authenticate_api_token(std::string_view token) {
  if (token.size() > 128) return core::fail(core::Error::unauthorized());
  const auto hash = hash_api_token(token);
  const auto now = std::chrono::steady_clock::now();
  std::optional<CachedToken> cached;
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = tokens_cache_.find(hash); it != tokens_cache_.end() && now - it->second.fetched < api_token_cache_ttl)
      cached = it->second;
  }
  if (!cached) {
    cached = CachedToken{api_tokens_.find_by_hash(hash), now};
    std::lock_guard lock(cache_mutex_);
    if (tokens_cache_.size() >= 10000) tokens_cache_.clear();  // bounded: unknown tokens are cached too
    tokens_cache_[hash] = *cached;
  }
  if (!cached->token || cached->token->revoked) return core::fail(core::Error::unauthorized());
  const auto& t = cached->token->token;
  const auto wall = clock_();
  if (t.expires_at && *t.expires_at <= wall) return core::fail(core::Error::unauthorized());
  auto user = cached_user(t.user_id);
  if (!user || !user->is_active) return core::fail(core::Error::unauthorized());
  // last_used_at is a write: at most once a minute per token.
  bool touch = false;
  {
    std::lock_guard lock(cache_mutex_);
    auto& last = last_touched_[t.id];
    if (last == std::chrono::steady_clock::time_point{} || now - last >= std::chrono::minutes(1)) {
      last = now;
      touch = true;
    }
    if (last_touched_.size() > 10000) last_touched_.clear();
  }
  if (touch) api_tokens_.touch(t.id, wall);
  // A token never grants more than its owner has now (a demoted owner's
  // tokens shrink with them).
  return Principal{*user, domain::lesser(t.role, user->role), t.id, t.expires_at};
}

core::Result<IssuedApiToken> AuthService::issue_api_token(const Principal& owner, const domain::ApiTokenCreate& in,
                                                          const domain::AuditActor& actor) {
  const auto role = in.role.value_or(owner.role);
  if (!domain::allows(owner.role, role))
    return core::fail(core::Error::invalid_field(
        {"body", "role"}, "Value error, role cannot exceed your own (" + std::string(domain::to_string(owner.role)) + ")",
        "value_error"));
  auto secret = generate_api_token();
  auto token = api_tokens_.create(owner.user.id, in, role, hash_api_token(secret), actor);
  return IssuedApiToken{std::move(token), std::move(secret)};
}

void AuthService::forget_api_token(std::int64_t token_id) {
  std::lock_guard lock(cache_mutex_);
  std::erase_if(tokens_cache_, [token_id](const auto& entry) {
    return entry.second.token && entry.second.token->token.id == token_id;
  });
}

void AuthService::forget(std::int64_t user_id) {
  std::lock_guard lock(cache_mutex_);
  users_cache_.erase(user_id);
}

}  // namespace sentinel::auth
