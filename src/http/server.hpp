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

#include <boost/asio/awaitable.hpp>

namespace boost::asio {
class io_context;
}

namespace sentinel::http {

class Dispatcher;
struct WebSocketUpgrade;  // http/websocket_upgrade.hpp

// Takes over a connection whose request is a WebSocket upgrade; runs on
// the connection's strand and owns it from then on.
using WebSocketHandler = std::function<boost::asio::awaitable<void>(WebSocketUpgrade)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;  // 0 = pick a free port (see HttpServer::port)
  std::size_t body_limit = 1024 * 1024;  // over → 413
  std::uint32_t header_limit = 16 * 1024;  // over → 431
  std::chrono::seconds read_timeout{30};   // one whole request
  std::chrono::seconds idle_timeout{75};   // keep-alive wait for the next request
  std::chrono::seconds write_timeout{30};
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, const Dispatcher& dispatcher, ServerOptions options);
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

  // Connections still open (in-flight or idle); 0 after stop() once drained.
  std::size_t open_connections() const;

  std::uint16_t port() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sentinel::http
