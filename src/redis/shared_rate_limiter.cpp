#include "redis/shared_rate_limiter.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "redis/client.hpp"

namespace sentinel::redis {

namespace {

// KEYS[1]: the key's failure times (sorted set, score = Unix seconds).
// ARGV: now, window (s), max failures. Returns the seconds until the key is
// under its limit again, 0 when it is: as RateLimiter, a failure counts
// while failure + window > now, and once over the limit the key is blocked
// until the oldest failure that keeps it over leaves the window.
constexpr std::string_view retry_after_script = R"(
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
local n = redis.call('ZCARD', KEYS[1])
local max = tonumber(ARGV[3])
if n < max then return 0 end
local oldest = redis.call('ZRANGE', KEYS[1], n - max, n - max, 'WITHSCORES')
return tonumber(oldest[2]) + ARGV[2] - ARGV[1]
)";

// ARGV: now, window (s), how many failures to keep, a unique member. Keeps
// no more history than the limit needs, and no key longer than the window.
constexpr std::string_view record_script = R"(
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[3]) - 1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
)";

// Failures of the same second from several processes must stay distinct members.
std::string unique_member(std::int64_t now) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return std::to_string(now) + ":" + std::to_string(random());
}

}  // namespace

SharedRateLimiter::SharedRateLimiter(Client& redis, auth::RateLimiter& local, core::Clock clock,
                                     std::string key_prefix)
    : redis_(redis), local_(local), clock_(std::move(clock)), prefix_(std::move(key_prefix)) {}

std::optional<int> SharedRateLimiter::retry_after(const std::string& key) {
  const auto now = std::to_string(core::to_unix(clock_()));
  const auto window = std::to_string(local_.window().count());
  const auto max = std::to_string(local_.max_failures());
  const auto r = redis_.command({"EVAL", retry_after_script, "1", prefix_ + key, now, window, max});
  if (!r || r->kind != Value::Kind::integer) {
    // Unreachable (Client logs that), or a Redis that refuses scripts: say so once.
    if (r && !script_error_logged_.exchange(true))
      spdlog::warn("redis: the login rate limit script failed ({}); limits are per process", r->text);
    return local_.retry_after(key);
  }
  if (r->integer <= 0) return std::nullopt;
  return static_cast<int>(std::max<std::int64_t>(1, r->integer));
}

void SharedRateLimiter::record_failure(const std::string& key) {
  local_.record_failure(key);  // so that it can stand in at once if Redis goes away
  const auto now = core::to_unix(clock_());
  const auto keep = std::to_string(local_.max_failures() * 2);
  redis_.command({"EVAL", record_script, "1", prefix_ + key, std::to_string(now),
                  std::to_string(local_.window().count()), keep, unique_member(now)});
}

void SharedRateLimiter::reset(const std::string& key) {
  local_.reset(key);
  redis_.command({"DEL", prefix_ + key});
}

}  // namespace sentinel::redis
