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

#include "http/client_address.hpp"
#include "http/request_dispatcher.hpp"
#include "http/message.hpp"
#include "http/responses.hpp"
#include "http/websocket_upgrade.hpp"

namespace sentinel::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

// Who is at the other end of a connection, worked out once at accept.
struct Peer {
  std::string address;  // canonical text of the socket peer
  std::string key;      // what the per-client cap counts (client_key)
  bool trusted = false;  // a trusted proxy: its X-Forwarded-For is believed
};

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& io_, const RequestDispatcher& d, ServerOptions o)
      : io(io_),
        dispatcher(d),
        options(std::move(o)),
        trusted(options.trusted_proxies),
        acceptor(asio::make_strand(io_)) {}

  // A connection as the stop and eviction logic see it: idle ones are
  // closed at once, busy ones finish their current request first.
  struct Connection {
    beast::tcp_stream* stream = nullptr;
    bool busy = false;
    bool evict = false;  // chosen to make room under max_connections: close when idle
    std::string key;
    std::chrono::steady_clock::time_point idle_since;
  };

  // One connection counted against the caps, from accept until its last
  // owner (HTTP session or WebSocket) lets go.
  class Slot {
   public:
    Slot(std::shared_ptr<State> state, std::string key) : state_(std::move(state)), key_(std::move(key)) {}
    Slot(Slot&&) noexcept = default;
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    ~Slot() {
      if (state_) state_->release(key_);
    }

   private:
    std::shared_ptr<State> state_;
    std::string key_;
  };

  asio::io_context& io;
  const RequestDispatcher& dispatcher;
  ServerOptions options;
  TrustedProxies trusted;
  WebSocketHandler websocket_handler;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint16_t> bound_port{0};
  mutable std::mutex mutex;
  std::unordered_map<std::uint64_t, Connection> connections;  // HTTP sessions (WebSockets leave it)
  std::uint64_t next_id = 0;
  // Every counted connection, and per client key. A key leaves the map with
  // its last connection, so the map never holds more entries than there
  // are open connections.
  std::size_t counted = 0;
  std::unordered_map<std::string, std::size_t> per_client;

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> session(tcp::socket socket, Peer peer, Slot slot);
  void set_busy(std::uint64_t id, bool busy);
  bool evicted(std::uint64_t id);

  // Counts a new connection in, or says why not: nullptr when admitted,
  // else the reason ("per_client", "max_connections"). `evicted_idle` is
  // set when an idle connection was chosen to make room.
  const char* admit(const Peer& peer, bool& evicted_idle);
  bool evict_one_idle();  // under `mutex`
  void release(const std::string& key);
  // Runs a WebSocket session while holding its connection's slot.
  static asio::awaitable<void> run_websocket(WebSocketHandler handler, WebSocketUpgrade upgrade, Slot slot);
  void report(std::string_view reason) const {
    if (options.on_connection_limited) options.on_connection_limited(reason);
  }
};

namespace {

// The request's client: the peer, or behind a trusted proxy the address
// its X-Forwarded-For names (product.md §7).
void set_client(Request& r, const Peer& peer, const TrustedProxies& trusted) {
  if (!peer.trusted) {
    r.remote_address = peer.address;
    r.client_key = peer.key;
    return;
  }
  std::vector<std::string_view> forwarded;
  for (const auto& [name, value] : r.headers)
    if (iequals(name, "X-Forwarded-For")) forwarded.push_back(value);
  r.remote_address = client_address(peer.address, forwarded, trusted);
  r.client_key = client_key(r.remote_address);
}

Request to_request(bhttp::request<bhttp::string_body>&& in, const Peer& peer, const TrustedProxies& trusted) {
  Request r;
  r.method = std::string(in.method_string());
  r.target = std::string(in.target());
  for (const auto& f : in) r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  r.body = std::move(in.body());
  set_client(r, peer, trusted);
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

asio::awaitable<void> HttpServer::State::run_websocket(WebSocketHandler handler, WebSocketUpgrade upgrade,
                                                       [[maybe_unused]] Slot slot) {
  co_await handler(std::move(upgrade));
}

void HttpServer::State::set_busy(std::uint64_t id, bool busy) {
  std::lock_guard lock(mutex);
  if (auto it = connections.find(id); it != connections.end()) {
    it->second.busy = busy;
    if (!busy) it->second.idle_since = std::chrono::steady_clock::now();
  }
}

bool HttpServer::State::evicted(std::uint64_t id) {
  std::lock_guard lock(mutex);
  auto it = connections.find(id);
  return it != connections.end() && it->second.evict;
}

const char* HttpServer::State::admit(const Peer& peer, bool& evicted_idle) {
  evicted_idle = false;
  std::lock_guard lock(mutex);
  if (!peer.trusted) {
    if (auto it = per_client.find(peer.key); it != per_client.end() && it->second >= options.max_connections_per_client)
      return "per_client";
  }
  if (counted >= options.max_connections) {
    if (!evict_one_idle()) return "max_connections";
    evicted_idle = true;  // counted stays over the cap until it has closed: by one per eviction in flight
  }
  ++counted;
  ++per_client[peer.key];
  return nullptr;
}

// Chooses the connection to close so that a new client gets in: an idle
// one (no request in progress) of the client holding the most connections,
// the longest idle of those. Idle sockets held by one client thus never
// keep others out for long.
bool HttpServer::State::evict_one_idle() {
  Connection* victim = nullptr;
  std::uint64_t victim_id = 0;
  std::size_t victim_held = 0;
  for (auto& [id, c] : connections) {
    if (c.busy || c.evict) continue;
    const auto held = per_client.count(c.key) ? per_client.at(c.key) : 0;
    if (!victim || held > victim_held || (held == victim_held && c.idle_since < victim->idle_since)) {
      victim = &c;
      victim_id = id;
      victim_held = held;
    }
  }
  if (!victim) return false;
  victim->evict = true;
  asio::post(victim->stream->get_executor(), [self = shared_from_this(), id = victim_id] {
    std::lock_guard inner(self->mutex);
    if (auto it = self->connections.find(id); it != self->connections.end() && !it->second.busy)
      it->second.stream->cancel();  // a busy one closes after its answer (see session)
  });
  return true;
}

void HttpServer::State::release(const std::string& key) {
  std::lock_guard lock(mutex);
  --counted;
  if (auto it = per_client.find(key); it != per_client.end() && --it->second == 0) per_client.erase(it);
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
    beast::error_code peer_ec;
    const auto endpoint = socket.remote_endpoint(peer_ec);
    if (peer_ec) {  // already gone
      socket.close(peer_ec);
      continue;
    }
    Peer peer;
    const auto raw = endpoint.address().to_string();
    const auto parsed = IpAddress::parse(raw);  // ::ffff:a.b.c.d → a.b.c.d; nullopt for "fe80::1%eth0"
    peer.address = parsed ? parsed->to_string() : raw;
    peer.key = client_key(peer.address);
    peer.trusted = trusted.contains(peer.address);
    bool evicted_idle = false;
    if (const char* refused = admit(peer, evicted_idle)) {
      // Closed at once, and accepting goes on: the cap protects the
      // process without turning into a denial of service itself.
      report(refused);
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    if (evicted_idle) report("evicted_idle");
    Slot slot(self, peer.key);
    auto ex = socket.get_executor();
    asio::co_spawn(ex, session(std::move(socket), std::move(peer), std::move(slot)), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex2) {
        spdlog::error("http session ended by exception: {}", ex2.what());
      }
    });
  }
}

asio::awaitable<void> HttpServer::State::session(tcp::socket socket, Peer peer, Slot slot) {
  auto self = shared_from_this();
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;

  std::uint64_t id;
  {
    std::lock_guard lock(mutex);
    id = next_id++;
    connections.emplace(id, Connection{&stream, false, false, peer.key, std::chrono::steady_clock::now()});
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
    // longer (idle_timeout) than reading one request once its first byte
    // is here (read_timeout, headers included: no slowloris).
    if (!first && buffer.size() == 0) {
      stream.expires_after(options.idle_timeout);
      auto [iec, in] = co_await stream.async_read_some(buffer.prepare(4096), use_nothrow);
      if (iec) break;
      buffer.commit(in);
    }
    stream.expires_after(options.read_timeout);
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
        WebSocketUpgrade upgrade{std::move(stream), std::move(beast_req), Request{}};
        upgrade.parsed.method = "GET";
        upgrade.parsed.target = std::string(upgrade.request.target());
        for (const auto& f : upgrade.request)
          upgrade.parsed.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
        set_client(upgrade.parsed, peer, trusted);
        upgrade.parsed.path = std::move(split->first);
        upgrade.parsed.query = std::move(split->second);
        {
          std::lock_guard lock(mutex);
          connections.erase(id);
        }
        auto ex = upgrade.stream.get_executor();
        // The WebSocket still counts against the caps: the slot goes with it.
        asio::co_spawn(ex, run_websocket(websocket_handler, std::move(upgrade), std::move(slot)),
                       [](std::exception_ptr e) {
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
    Request req = to_request(std::move(beast_req), peer, trusted);
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
    if (wec || !out.keep_alive() || evicted(id)) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
}

HttpServer::HttpServer(asio::io_context& io, const RequestDispatcher& dispatcher, ServerOptions options)
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

std::size_t HttpServer::counted_connections() const {
  std::lock_guard lock(state_->mutex);
  return state_->counted;
}

std::size_t HttpServer::connected_clients() const {
  std::lock_guard lock(state_->mutex);
  return state_->per_client.size();
}

std::uint16_t HttpServer::port() const { return state_->bound_port; }

void HttpServer::set_websocket_handler(WebSocketHandler handler) { state_->websocket_handler = std::move(handler); }

}  // namespace sentinel::http
