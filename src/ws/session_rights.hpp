#pragma once
// A right that ends ends its sessions (product.md §7): every open WebSocket
// is registered here with the credential it was opened with, and every
// `period` each distinct credential is checked again, all in one hop to the
// blocking pool. A session whose credential no longer authenticates
// (expired, revoked API token, user deactivated, deleted, password changed)
// is closed with 4401. The caches in auth::AuthService (user 1 s, API token
// 0.5 s) bound how stale a check can be, also when the change was made by
// another process.
//
// It also counts sessions per user: past `max_per_user` a new one is refused.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sentinel::core {
class BlockingPool;
}
namespace sentinel::auth {
class AuthService;
}

namespace sentinel::ws {

class MetricsSession;
struct SessionRegistry;

class SessionRights {
 public:
  SessionRights(boost::asio::any_io_executor executor, core::BlockingPool& blocking, auth::AuthService& auth,
                std::chrono::milliseconds period, std::size_t max_per_user);

  // Registers `session` of `user_id`, opened with `credential`. False (and
  // nothing registered) when the user already has max_per_user sessions.
  bool add(const std::shared_ptr<MetricsSession>& session, std::int64_t user_id, std::string credential);

  // Unregisters its session when it goes. It may outlive this object: a
  // session coroutine still suspended when the process ends is destroyed
  // with the io_context, after the LiveStreams that own this object; it
  // then unregisters from nothing.
  class Registration {
   public:
    Registration(const SessionRights& rights, const MetricsSession* session);
    ~Registration();
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

   private:
    std::weak_ptr<SessionRegistry> registry_;
    const MetricsSession* session_;
  };

  // Starts the periodic check; stop() ends it (idempotent).
  void start();
  void stop();

  // One round of checks now (tests; the loop calls it every period).
  boost::asio::awaitable<void> check_now();

  std::size_t sessions_of(std::int64_t user_id) const;

 private:
  boost::asio::awaitable<void> loop();

  boost::asio::any_io_executor executor_;
  core::BlockingPool& blocking_;
  auth::AuthService& auth_;
  std::chrono::milliseconds period_;
  std::size_t max_per_user_;
  std::shared_ptr<boost::asio::steady_timer> timer_;

  std::shared_ptr<SessionRegistry> registry_;
};

// The open sessions and their credentials, shared with each Registration.
struct SessionRegistry {
  struct Entry {
    std::weak_ptr<MetricsSession> session;
    std::int64_t user_id = 0;
    std::string credential;
  };
  void remove(const MetricsSession* session);

  mutable std::mutex mutex;
  std::map<const MetricsSession*, Entry> sessions;
  std::unordered_map<std::int64_t, std::size_t> per_user;
  bool stopped = false;
};

}  // namespace sentinel::ws
