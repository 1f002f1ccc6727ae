#pragma once
// HTTP/1.1 server on Boost.Beast with C++20 coroutines: keep-alive, requests
// on one connection answered strictly in order (pipelining-safe), a timeout
// on every read and write, header and body limits, graceful stop.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace boost::asio {
class io_context;
}

namespace sentinel::http {

class RequestDispatcher;
struct WebSocketUpgrade;  // http/websocket_upgrade.hpp

// Takes over a connection whose request is a WebSocket upgrade; runs on
// the connection's strand and owns it from then on.
using WebSocketHandler = std::function<boost::asio::awaitable<void>(WebSocketUpgrade)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;  // 0 = pick a free port (see HttpServer::port)
  std::size_t body_limit = 1024 * 1024;  // over → 413
  std::uint32_t header_limit = 16 * 1024;  // over → 431
  // A request must arrive whole (headers and body) within read_timeout of
  // its first byte, or of the connection's opening for the first request:
  // a client dribbling header bytes (slowloris) is cut there.
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{60};   // keep-alive wait for the first byte of the next request
  std::chrono::seconds write_timeout{30};
  // Connections, HTTP and WebSocket alike. Past max_connections_per_client
  // (counted per client key: the peer address, its /64 for IPv6) a new
  // connection is closed at once; trusted proxies are exempt, since they
  // carry many clients. At max_connections the oldest idle connection (no
  // request in progress) of the client holding the most is closed to make
  // room; if none is idle, the new connection is closed. Accepting goes on.
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_client = 256;
  // CIDRs whose X-Forwarded-For is believed (Request::remote_address).
  // Throws std::invalid_argument from the constructor when one is malformed.
  std::vector<std::string> trusted_proxies = {};
  // Called for each connection closed by the caps: "per_client" (refused),
  // "max_connections" (refused), "evicted_idle" (an idle one made room).
  std::function<void(std::string_view reason)> on_connection_limited = {};
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, const RequestDispatcher& dispatcher, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Upgrade requests go to `handler` (set before start()); without one
  // they are answered like any other request (404/405 from the router).
  void set_websocket_handler(WebSocketHandler handler);

  // Binds and starts accepting. Throws std::system_error when the address
  // cannot be bound (in use, permission).
  void start();

  // Stops accepting, lets in-flight requests finish, closes idle
  // connections. Thread-safe; returns at once.
  void stop();

  // HTTP connections still open (in-flight or idle; WebSockets have left
  // for their own registry); 0 after stop() once drained.
  std::size_t open_connections() const;

  // Every connection the caps count, WebSockets included, and how many
  // client keys hold them.
  std::size_t counted_connections() const;
  std::size_t connected_clients() const;

  std::uint16_t port() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sentinel::http
