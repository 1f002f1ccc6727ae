#include "ws/session_rights.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <set>
#include <vector>

#include "auth/auth_service.hpp"
#include "core/blocking.hpp"
#include "ws/metrics_session.hpp"

namespace sentinel::ws {

namespace asio = boost::asio;

SessionRights::SessionRights(asio::any_io_executor executor, core::BlockingPool& blocking, auth::AuthService& auth,
                             std::chrono::milliseconds period, std::size_t max_per_user)
    : executor_(std::move(executor)),
      blocking_(blocking),
      auth_(auth),
      period_(period),
      max_per_user_(max_per_user),
      timer_(std::make_shared<asio::steady_timer>(executor_)) {}

bool SessionRights::add(const std::shared_ptr<MetricsSession>& session, std::int64_t user_id, std::string credential) {
  std::lock_guard lock(mutex_);
  auto& count = per_user_[user_id];
  if (count >= max_per_user_) {
    if (count == 0) per_user_.erase(user_id);
    return false;
  }
  ++count;
  sessions_[session.get()] = Entry{session, user_id, std::move(credential)};
  return true;
}

void SessionRights::remove(const MetricsSession* session) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return;
  if (auto u = per_user_.find(it->second.user_id); u != per_user_.end() && --u->second == 0) per_user_.erase(u);
  sessions_.erase(it);
}

std::size_t SessionRights::sessions_of(std::int64_t user_id) const {
  std::lock_guard lock(mutex_);
  auto it = per_user_.find(user_id);
  return it == per_user_.end() ? 0 : it->second;
}

void SessionRights::start() {
  asio::co_spawn(executor_, loop(), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("websocket rights check stopped: {}", ex.what());
    }
  });
}

void SessionRights::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  timer_->cancel();
}

asio::awaitable<void> SessionRights::loop() {
  auto timer = timer_;  // outlives this object's destruction at shutdown only as long as the frame
  for (;;) {
    timer->expires_after(period_);
    auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    {
      std::lock_guard lock(mutex_);
      if (stopped_) co_return;
    }
    if (ec) continue;
    co_await check_now();
  }
}

asio::awaitable<void> SessionRights::check_now() {
  std::set<std::string> credentials;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [_, entry] : sessions_) credentials.insert(entry.credential);
  }
  if (credentials.empty()) co_return;
  // Each distinct credential once, whatever the number of its sessions.
  // A database that cannot answer ends nothing: an outage is not a revocation.
  auto job = [this, credentials = std::move(credentials)] {
    std::set<std::string> ended;
    for (const auto& c : credentials) {
      try {
        if (!auth_.authenticate(c)) ended.insert(c);
      } catch (const std::exception& e) {
        spdlog::debug("websocket rights check skipped: {}", e.what());
      }
    }
    return ended;
  };
  auto ended = co_await blocking_.run(std::move(job));
  if (ended.empty()) co_return;
  std::vector<std::shared_ptr<MetricsSession>> to_close;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [_, entry] : sessions_)
      if (ended.contains(entry.credential))
        if (auto s = entry.session.lock()) to_close.push_back(std::move(s));
  }
  for (const auto& s : to_close) s->close(4401, "Credentials no longer valid");
}

}  // namespace sentinel::ws
