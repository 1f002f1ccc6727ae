#pragma once
// Where upgraded connections go: /ws/metrics/{server_id} (live metrics),
// /ws/fleet[?delta=1] (every server's summary) and /ws/events (alert events
// as they are created and resolved).
// The token comes as ?token=JWT or as `Sec-WebSocket-Protocol: bearer,
// <JWT>` (browsers cannot set an Authorization header on a WebSocket); the
// handshake then selects the "bearer" subprotocol. After the handshake, a
// bad or missing token closes with 4401, a role below the route's with 4403,
// an unknown server with 4404, and a user past WS_MAX_PER_USER with 4429.
// Sessions are closed with 4401 once their right ends (ws/session_rights.hpp).
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

#include "domain/role.hpp"

namespace sentinel::core {
class BlockingPool;
}
namespace sentinel::auth {
class AuthService;
}
namespace sentinel::storage {
class ServerRepository;
}
namespace sentinel::http {
struct WebSocketUpgrade;
}

namespace sentinel::ws {

class MetricsHub;
class EventsHub;
class FleetHub;
class SessionRights;

// The streams sessions are handed to, by path.
struct Streams {
  MetricsHub& metrics;  // /ws/metrics/{server_id}
  FleetHub& fleet;      // /ws/fleet
  EventsHub& events;    // /ws/events
};

struct WebSocketOptions {
  // Keep-alive ping period; a peer that sends nothing (not even a pong) for
  // two periods is dropped.
  std::chrono::seconds ping_interval{15};
  // The role each WebSocket path needs (the route table's); a path it
  // does not know is refused with 404.
  std::function<std::optional<domain::Role>(std::string_view path)> required_role;
};

class WebSocketHandler {
 public:
  WebSocketHandler(core::BlockingPool& blocking, auth::AuthService& auth, storage::ServerRepository& servers,
                   Streams streams, SessionRights& rights, WebSocketOptions options);

  // Never throws for anything the client does; returns when the connection ends.
  boost::asio::awaitable<void> handle(http::WebSocketUpgrade upgrade);

 private:
  core::BlockingPool& blocking_;
  auth::AuthService& auth_;
  storage::ServerRepository& servers_;
  Streams streams_;
  SessionRights& rights_;
  WebSocketOptions options_;
};

}  // namespace sentinel::ws
