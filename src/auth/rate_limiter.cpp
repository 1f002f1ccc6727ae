#include "auth/rate_limiter.hpp"

#include <algorithm>

namespace sentinel::auth {

RateLimiter::RateLimiter(std::size_t max_failures, std::chrono::seconds window, core::Clock clock,
                         std::size_t max_keys)
    : max_failures_(std::max<std::size_t>(1, max_failures)),
      window_(window),
      clock_(std::move(clock)),
      max_keys_(std::max<std::size_t>(1, max_keys)) {}

void RateLimiter::prune(std::deque<core::Timestamp>& q, core::Timestamp now) const {
  while (!q.empty() && q.front() + window_ <= now) q.pop_front();
}

std::optional<int> RateLimiter::retry_after(const std::string& key) {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return std::nullopt;
  prune(it->second, now);
  if (it->second.size() < max_failures_) {
    if (it->second.empty()) failures_.erase(it);
    return std::nullopt;
  }
  // Blocked until the oldest failure that keeps the key over the limit
  // leaves the window.
  const auto release = it->second[it->second.size() - max_failures_] + window_;
  return std::max<int>(1, static_cast<int>((release - now).count()));
}

void RateLimiter::record_failure(const std::string& key) {
  const auto now = clock_();
  std::lock_guard lock(mutex_);
  if (failures_.size() >= max_keys_ && !failures_.count(key)) {
    // Bounded memory under a spray of addresses: drop expired keys, and if
    // that is not enough, an arbitrary one.
    for (auto it = failures_.begin(); it != failures_.end();) {
      prune(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
    if (failures_.size() >= max_keys_) failures_.erase(failures_.begin());
  }
  auto& q = failures_[key];
  prune(q, now);
  q.push_back(now);
  // Never keep more history than the limit needs.
  while (q.size() > max_failures_ * 2) q.pop_front();
}

void RateLimiter::reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

}  // namespace sentinel::auth
