#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <array>
#include <mutex>
#include <unordered_map>

#include "http/dispatcher.hpp"
#include "http/message.hpp"
#include "http/responses.hpp"
#include "http/websocket_upgrade.hpp"

namespace sentinel::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& io_, const Dispatcher& d, ServerOptions o)
      : io(io_), dispatcher(d), options(std::move(o)), acceptor(asio::make_strand(io_)) {}

  // A connection as the stop logic sees it: idle ones are closed at once,
  // busy ones finish their current request first.
  struct Connection {
    beast::tcp_stream* stream = nullptr;
    bool busy = false;
  };

  asio::io_context& io;
  const Dispatcher& dispatcher;
  ServerOptions options;
  WebSocketHandler websocket_handler;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint16_t> bound_port{0};
  mutable std::mutex mutex;
  std::unordered_map<std::uint64_t, Connection> connections;
  std::uint64_t next_id = 0;

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> session(tcp::socket socket);
  void set_busy(std::uint64_t id, bool busy);
};

namespace {

Request to_request(bhttp::request<bhttp::string_body>&& in, const std::string& remote) {
  Request r;
  r.method = std::string(in.method_string());
  r.target = std::string(in.target());
  for (const auto& f : in) r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  r.body = std::move(in.body());
  r.remote_address = remote;
  return r;
}

bhttp::response<bhttp::string_body> to_beast(Response&& in, unsigned version, bool keep_alive, bool head) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(in.status), version};
  out.set(bhttp::field::server, "sentinel");
  if (!in.content_type.empty()) out.set(bhttp::field::content_type, in.content_type);
  for (auto& [k, v] : in.headers) out.insert(k, v);
  const auto size = in.body.size();
  out.body() = std::move(in.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  if (head) {
    out.body().clear();
    out.content_length(size);
  }
  return out;
}

// Answers a request the parser refused (too large, malformed) and closes.
Response parse_failure_response(const beast::error_code& ec, std::size_t body_limit) {
  if (ec == bhttp::error::body_limit)
    return error_response(core::Error{core::ErrorKind::payload_too_large,
                                      "Request body too large (limit " + std::to_string(body_limit) + " bytes)", {}, 0});
  Response r;
  if (ec == bhttp::error::header_limit) {
    r.status = 431;
    r.body = R"({"detail":"Request header fields too large"})";
  } else {
    r.status = 400;
    r.body = R"({"detail":"Malformed HTTP request"})";
  }
  return r;
}

// "Lingering close" (as nginx does): after refusing a request whose body
// is still arriving (413), stop sending and discard what the client keeps
// sending for a moment, so it reads our answer instead of a reset.
asio::awaitable<void> linger(beast::tcp_stream& stream) {
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(std::chrono::seconds(2));
  std::array<char, 16384> sink;
  std::size_t total = 0;
  while (total < 8 * 1024 * 1024) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_nothrow);
    if (ec) break;
    total += n;
  }
}

}  // namespace

void HttpServer::State::set_busy(std::uint64_t id, bool busy) {
  std::lock_guard lock(mutex);
  if (auto it = connections.find(id); it != connections.end()) it->second.busy = busy;
}

asio::awaitable<void> HttpServer::State::accept_loop() {
  auto self = shared_from_this();
  while (!stopping) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), use_nothrow);
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) break;
      // Out of file descriptors and similar: back off instead of spinning.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer t(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await t.async_wait(use_nothrow);
      continue;
    }
    auto ex = socket.get_executor();
    asio::co_spawn(ex, session(std::move(socket)), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex2) {
        spdlog::error("http session ended by exception: {}", ex2.what());
      }
    });
  }
}

asio::awaitable<void> HttpServer::State::session(tcp::socket socket) {
  auto self = shared_from_this();
  beast::error_code addr_ec;
  const auto endpoint = socket.remote_endpoint(addr_ec);
  const std::string remote = addr_ec ? std::string("unknown") : endpoint.address().to_string();
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;

  std::uint64_t id;
  {
    std::lock_guard lock(mutex);
    id = next_id++;
    connections.emplace(id, Connection{&stream, false});
  }
  struct Unregister {
    State& s;
    std::uint64_t id;
    ~Unregister() {
      std::lock_guard lock(s.mutex);
      s.connections.erase(id);
    }
  } unregister{*this, id};

  bool first = true;
  while (!stopping) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(options.header_limit);
    parser.body_limit(options.body_limit);
    // Waiting for the next request on a kept-alive connection may take
    // longer than reading one request once it has started.
    stream.expires_after(first ? options.read_timeout : options.idle_timeout);
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, use_nothrow);
    first = false;
    if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::eof)
      break;
    set_busy(id, true);
    if (ec) {
      auto res = to_beast(parse_failure_response(ec, options.body_limit), 11, false, false);
      stream.expires_after(options.write_timeout);
      co_await bhttp::async_write(stream, res, use_nothrow);
      co_await linger(stream);
      break;
    }
    auto beast_req = parser.release();
    if (websocket_handler && boost::beast::websocket::is_upgrade(beast_req)) {
      if (auto split = split_target(beast_req.target())) {
        // The WebSocket side owns the connection from here; graceful stop
        // closes it through its own registry (code 1001), not this one.
        WebSocketUpgrade upgrade{std::move(stream), std::move(beast_req), to_request({}, remote)};
        upgrade.parsed.method = "GET";
        upgrade.parsed.target = std::string(upgrade.request.target());
        for (const auto& f : upgrade.request)
          upgrade.parsed.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
        upgrade.parsed.path = std::move(split->first);
        upgrade.parsed.query = std::move(split->second);
        {
          std::lock_guard lock(mutex);
          connections.erase(id);
        }
        auto ex = upgrade.stream.get_executor();
        asio::co_spawn(ex, websocket_handler(std::move(upgrade)), [](std::exception_ptr e) {
          if (!e) return;
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex2) {
            spdlog::error("websocket session ended by exception: {}", ex2.what());
          }
        });
        co_return;
      }
    }
    const unsigned version = beast_req.version();
    const bool keep_alive = beast_req.keep_alive() && !stopping;
    const bool head = beast_req.method() == bhttp::verb::head;
    Request req = to_request(std::move(beast_req), remote);
    Response res;
    if (auto split = split_target(req.target)) {
      req.path = std::move(split->first);
      req.query = std::move(split->second);
      res = co_await dispatcher.dispatch(req);
    } else {
      res = parse_failure_response(bhttp::error::bad_target, options.body_limit);
    }
    auto out = to_beast(std::move(res), version, keep_alive && !stopping, head);
    stream.expires_after(options.write_timeout);
    auto [wec, wn] = co_await bhttp::async_write(stream, out, use_nothrow);
    set_busy(id, false);
    if (wec || !out.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
}

HttpServer::HttpServer(asio::io_context& io, const Dispatcher& dispatcher, ServerOptions options)
    : state_(std::make_shared<State>(io, dispatcher, std::move(options))) {}

HttpServer::~HttpServer() = default;

void HttpServer::start() {
  auto& s = *state_;
  const auto address = asio::ip::make_address(s.options.host == "localhost" ? "127.0.0.1" : s.options.host);
  const tcp::endpoint ep{address, s.options.port};
  s.acceptor.open(ep.protocol());
  s.acceptor.set_option(asio::socket_base::reuse_address(true));
  s.acceptor.bind(ep);
  s.acceptor.listen(asio::socket_base::max_listen_connections);
  s.bound_port = s.acceptor.local_endpoint().port();
  asio::co_spawn(s.acceptor.get_executor(), s.accept_loop(), asio::detached);
}

void HttpServer::stop() {
  auto s = state_;
  s->stopping = true;
  asio::post(s->acceptor.get_executor(), [s] {
    beast::error_code ec;
    s->acceptor.close(ec);
  });
  std::lock_guard lock(s->mutex);
  for (auto& [id, c] : s->connections) {
    if (c.busy) continue;  // finishes its request, then sees `stopping`
    auto* stream = c.stream;
    asio::post(stream->get_executor(), [s, id = id] {
      std::lock_guard inner(s->mutex);
      if (auto it = s->connections.find(id); it != s->connections.end() && !it->second.busy)
        it->second.stream->cancel();
    });
  }
}

std::size_t HttpServer::open_connections() const {
  std::lock_guard lock(state_->mutex);
  return state_->connections.size();
}

std::uint16_t HttpServer::port() const { return state_->bound_port; }

void HttpServer::set_websocket_handler(WebSocketHandler handler) { state_->websocket_handler = std::move(handler); }

}  // namespace sentinel::http
