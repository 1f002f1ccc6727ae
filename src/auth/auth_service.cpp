#include "auth/auth_service.hpp"

#include <algorithm>

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

core::Result<LoginResult> AuthService::login(std::string_view email, std::string_view password,
                                             std::string_view client_address) {
  const auto normalized = lower(email);
  const std::string address_key = "ip:" + std::string(client_address);
  const std::string account_key = "user:" + normalized;
  const auto wait = std::max(per_address_.retry_after(address_key).value_or(0),
                             per_account_.retry_after(account_key).value_or(0));
  if (wait > 0) return core::fail(core::Error::rate_limited(wait, "Too many login attempts, try again later"));

  auto record_failure = [&] {
    per_address_.record_failure(address_key);
    per_account_.record_failure(account_key);
  };
  auto user = normalized.size() <= 254 ? users_.find_by_email(normalized) : std::nullopt;
  if (!user) {
    verify_dummy_password(password);  // same cost as a real check
    record_failure();
    return core::fail(wrong_credentials());
  }
  if (!verify_password(user->password_hash, password)) {
    record_failure();
    return core::fail(wrong_credentials());
  }
  // Only someone who knows the password learns that the account is inactive.
  if (!user->is_active) return core::fail(core::Error::forbidden("Inactive user"));
  per_account_.reset(account_key);
  return LoginResult{jwt_.issue(user->id, user->token_version), jwt_.lifetime().count()};
}

core::Result<domain::User> AuthService::authenticate(std::string_view token) {
  auto claims = jwt_.verify(token);
  if (!claims) return core::fail(claims.error());
  const auto now = std::chrono::steady_clock::now();
  std::optional<domain::User> user;
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = users_cache_.find(claims->user_id); it != users_cache_.end() && now - it->second.fetched < user_cache_ttl)
      user = it->second.user;
  }
  if (!user) {
    auto fetched = users_.get(claims->user_id);
    if (!fetched) return core::fail(core::Error::unauthorized());
    user = *fetched;
    std::lock_guard lock(cache_mutex_);
    if (users_cache_.size() >= 10000) users_cache_.clear();  // bounded
    users_cache_[user->id] = CachedUser{*user, now};
  }
  // Deactivated or password changed since the token was issued: the token
  // is dead, whatever its expiry says.
  if (user->token_version != claims->token_version || !user->is_active)
    return core::fail(core::Error::unauthorized());
  return *user;
}

void AuthService::forget(std::int64_t user_id) {
  std::lock_guard lock(cache_mutex_);
  users_cache_.erase(user_id);
}

}  // namespace sentinel::auth
