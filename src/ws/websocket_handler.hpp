#pragma once
// Where upgraded connections go: /ws/metrics/{server_id} (live metrics) and
// /ws/events (alert events as they are created and resolved).
// The token comes as ?token=JWT or as `Sec-WebSocket-Protocol: bearer,
// <JWT>` (browsers cannot set an Authorization header on a WebSocket); the
// handshake then selects the "bearer" subprotocol. After the handshake, a
// bad or missing token closes with 4401 and an unknown server with 4404.
#include <boost/asio/awaitable.hpp>
#include <chrono>

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

struct WebSocketOptions {
  // Keep-alive ping period; a peer that sends nothing (not even a pong) for
  // two periods is dropped.
  std::chrono::seconds ping_interval{15};
};

class WebSocketHandler {
 public:
  WebSocketHandler(core::BlockingPool& blocking, auth::AuthService& auth, storage::ServerRepository& servers,
                   MetricsHub& hub, EventsHub& events, WebSocketOptions options);

  // Never throws for anything the client does; returns when the connection ends.
  boost::asio::awaitable<void> handle(http::WebSocketUpgrade upgrade);

 private:
  core::BlockingPool& blocking_;
  auth::AuthService& auth_;
  storage::ServerRepository& servers_;
  MetricsHub& hub_;
  EventsHub& events_;
  WebSocketOptions options_;
};

}  // namespace sentinel::ws
