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
      timer_(std::make_shared<asio::steady_timer>(executor_)),
      registry_(std::make_shared<SessionRegistry>()) {}

bool SessionRights::add(const std::shared_ptr<MetricsSession>& session, std::int64_t user_id, std::string credential) {
  SessionRegistry& r = *registry_;
  std::lock_guard lock(r.mutex);
  auto& count = r.per_user[user_id];
  if (count >= max_per_user_) {
    if (count == 0) r.per_user.erase(user_id);
    return false;
  }
  ++count;
  r.sessions[session.get()] = SessionRegistry::Entry{session, user_id, std::move(credential)};
  return true;
}

void SessionRegistry::remove(const MetricsSession* session) {
  std::lock_guard lock(mutex);
  auto it = sessions.find(session);
  if (it == sessions.end()) return;
  if (auto u = per_user.find(it->second.user_id); u != per_user.end() && --u->second == 0) per_user.erase(u);
  sessions.erase(it);
}

SessionRights::Registration::Registration(const SessionRights& rights, const MetricsSession* session)
    : registry_(rights.registry_), session_(session) {}

SessionRights::Registration::~Registration() {
  if (auto registry = registry_.lock()) registry->remove(session_);
}

std::size_t SessionRights::sessions_of(std::int64_t user_id) const {
  const SessionRegistry& r = *registry_;
  std::lock_guard lock(r.mutex);
  auto it = r.per_user.find(user_id);
  return it == r.per_user.end() ? 0 : it->second;
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
  std::lock_guard lock(registry_->mutex);
  registry_->stopped = true;
  timer_->cancel();
}

asio::awaitable<void> SessionRights::loop() {
  auto timer = timer_;  // outlives this object's destruction at shutdown only as long as the frame
  for (;;) {
    timer->expires_after(period_);
    auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
    {
      std::lock_guard lock(registry_->mutex);
      if (registry_->stopped) co_return;
    }
    if (ec) continue;
    co_await check_now();
  }
}

asio::awaitable<void> SessionRights::check_now() {
  std::set<std::string> credentials;
  {
    std::lock_guard lock(registry_->mutex);
    for (const auto& [_, entry] : registry_->sessions) credentials.insert(entry.credential);
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
    std::lock_guard lock(registry_->mutex);
    for (const auto& [_, entry] : registry_->sessions)
      if (ended.contains(entry.credential))
        if (auto s = entry.session.lock()) to_close.push_back(std::move(s));
  }
  for (const auto& s : to_close) s->close(4401, "Credentials no longer valid");
}

}  // namespace sentinel::ws
