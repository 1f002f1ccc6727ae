#include "ws/websocket_handler.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <charconv>
#include <variant>

#include "auth/auth_service.hpp"
#include "core/blocking.hpp"
#include "http/websocket_upgrade.hpp"
#include "storage/server_repository.hpp"
#include "ws/events_hub.hpp"
#include "ws/fleet_hub.hpp"
#include "ws/metrics_hub.hpp"
#include "ws/metrics_session.hpp"
#include "ws/session_rights.hpp"

namespace sentinel::ws {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace bhttp = boost::beast::http;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr std::string_view metrics_prefix = "/ws/metrics/";
constexpr std::string_view events_path = "/ws/events";
constexpr std::string_view fleet_path = "/ws/fleet";

// Application close codes (4401, 4404) are plain numbers to Beast.
websocket::close_reason close_with(std::uint16_t code, std::string_view text) {
  websocket::close_reason r(code);
  r.reason = std::string(text);
  return r;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Credentials {
  std::optional<std::string> token;
  bool bearer_subprotocol = false;  // the client offered "bearer, <JWT>"
};

Credentials credentials_of(const http::Request& req) {
  Credentials c;
  if (auto protocols = req.header("Sec-WebSocket-Protocol")) {
    std::string_view rest = *protocols;
    const auto comma = rest.find(',');
    const auto first = trim(rest.substr(0, comma));
    if (http::iequals(first, "bearer") && comma != std::string_view::npos) {
      auto token = trim(rest.substr(comma + 1));
      token = trim(token.substr(0, token.find(',')));
      c.bearer_subprotocol = true;
      if (!token.empty()) c.token = std::string(token);
    }
  }
  if (!c.token)
    if (auto q = req.query_param("token"); q && !q->empty()) c.token = std::string(*q);
  return c;
}

// Closes with `reason`, then reads until the peer answers the close (or the
// timeout drops it).
asio::awaitable<void> close_and_drain(WebSocketStream& ws, const websocket::close_reason& reason) {
  co_await ws.async_close(reason, use_nothrow);
  beast::flat_buffer sink;
  for (;;) {
    auto [rec, n] = co_await ws.async_read(sink, use_nothrow);
    if (rec) break;
    sink.consume(n);
  }
}

// Upgrades to paths we do not serve are answered in plain HTTP.
asio::awaitable<void> refuse(beast::tcp_stream& stream, unsigned version, bhttp::status status, std::string body) {
  bhttp::response<bhttp::string_body> res{status, version};
  res.set(bhttp::field::server, "sentinel");
  res.set(bhttp::field::content_type, "application/json");
  res.keep_alive(false);
  res.body() = std::move(body);
  res.prepare_payload();
  stream.expires_after(std::chrono::seconds(10));
  co_await bhttp::async_write(stream, res, use_nothrow);
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace

WebSocketHandler::WebSocketHandler(core::BlockingPool& blocking, auth::AuthService& auth,
                                   storage::ServerRepository& servers, Streams streams, SessionRights& rights,
                                   WebSocketOptions options)
    : blocking_(blocking),
      auth_(auth),
      servers_(servers),
      streams_(streams),
      rights_(rights),
      options_(std::move(options)) {}

asio::awaitable<void> WebSocketHandler::handle(http::WebSocketUpgrade upgrade) {
  std::string_view path = upgrade.parsed.path;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const bool events = path == events_path;
  const bool fleet = path == fleet_path;
  // Not one server's stream: no server to look up.
  const bool all_servers = events || fleet;
  const auto needed = options_.required_role ? options_.required_role(path) : std::optional<domain::Role>{};
  if (!needed || (!all_servers && (!path.starts_with(metrics_prefix) || path.size() == metrics_prefix.size() ||
                              path.find('/', metrics_prefix.size()) != std::string_view::npos))) {
    co_await refuse(upgrade.stream, upgrade.request.version(), bhttp::status::not_found, R"({"detail":"Not Found"})");
    co_return;
  }
  std::int64_t server_id = 0;
  bool id_ok = false;
  if (!all_servers) {
    const auto id_text = path.substr(metrics_prefix.size());
    const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), server_id);
    id_ok = ec == std::errc{} && end == id_text.data() + id_text.size() && server_id > 0;
  }
  const auto creds = credentials_of(upgrade.parsed);
  const auto delta_param = upgrade.parsed.query_param("delta");
  const bool delta = delta_param && (*delta_param == "1" || *delta_param == "true");
  const std::string remote = upgrade.parsed.remote_address;

  WebSocketStream ws(std::move(upgrade.stream));
  beast::get_lowest_layer(ws).expires_never();  // the websocket timeouts below take over
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = std::chrono::seconds(10);
  timeouts.idle_timeout = 2 * options_.ping_interval;
  timeouts.keep_alive_pings = true;
  ws.set_option(timeouts);
  ws.read_message_max(64 * 1024);  // clients have nothing big to tell us
  // One frame per message: Beast's default cuts a server's message into
  // 4 KiB frames, a write (and a wake-up) each; a /ws/fleet frame of 1 000
  // servers (~400 KB) was ~100 writes per client per period (bench/fleet).
  ws.auto_fragment(false);
  const bool bearer = creds.bearer_subprotocol;
  ws.set_option(websocket::stream_base::decorator([bearer](websocket::response_type& res) {
    res.set(bhttp::field::server, "sentinel");
    // A browser fails the handshake unless one offered subprotocol is selected.
    if (bearer) res.set(bhttp::field::sec_websocket_protocol, "bearer");
  }));
  auto [accept_ec] = co_await ws.async_accept(upgrade.request, use_nothrow);
  if (accept_ec) co_return;

  // Token check and server lookup: one hop to the blocking pool.
  struct Opened {
    domain::Server server;
    std::int64_t user_id = 0;
  };
  using Outcome = std::variant<Opened, websocket::close_reason>;
  auto check = [this, token = creds.token, server_id, id_ok, all_servers, needed = *needed]() -> Outcome {
    if (!token) return close_with(4401, "Could not validate credentials");
    try {
      auto principal = auth_.authenticate(*token);
      if (!principal) return close_with(4401, "Could not validate credentials");
      if (!domain::allows(principal->role, needed)) return close_with(4403, "Not enough privileges");
      // Every event and every server go to every user.
      if (all_servers) return Opened{domain::Server{}, principal->user.id};
      if (!id_ok) return close_with(4404, "Server not found");
      auto server = servers_.get(server_id);
      if (!server) return close_with(4404, "Server not found");
      return Opened{std::move(*server), principal->user.id};
    } catch (const core::DependencyUnavailable&) {
      return close_with(1013, "Database unavailable, try again later");
    }
  };
  Outcome outcome = co_await blocking_.run(std::move(check));
  std::shared_ptr<MetricsSession> session;
  if (auto* opened = std::get_if<Opened>(&outcome)) {
    session = std::make_shared<MetricsSession>(std::move(ws), opened->server.id,
                                               events ? EventsHub::max_queued_events : MetricsSession::max_queued_frames);
    if (!rights_.add(session, opened->user_id, *creds.token)) outcome = close_with(4429, "Too many WebSocket sessions");
  }
  if (auto* reason = std::get_if<websocket::close_reason>(&outcome)) {
    // The stream moved into the session when one was made.
    co_await close_and_drain(session ? session->stream() : ws, *reason);
    co_return;
  }
  // Registered: unregistered however the session ends (even when its frame
  // is destroyed with the io_context at exit, after the rights).
  const SessionRights::Registration registered(rights_, session.get());
  if (events) {
    spdlog::debug("websocket /ws/events opened from {}", remote);
    streams_.events.subscribe(session);
    co_await session->run();
    streams_.events.unsubscribe(session);
    spdlog::debug("websocket /ws/events from {} closed", remote);
    co_return;
  }
  if (fleet) {
    spdlog::debug("websocket /ws/fleet opened from {} (delta: {})", remote, delta);
    streams_.fleet.subscribe(session, delta);
    co_await session->run();
    streams_.fleet.unsubscribe(session);
    spdlog::debug("websocket /ws/fleet from {} closed", remote);
    co_return;
  }
  const auto& server = std::get<Opened>(outcome).server;
  spdlog::debug("websocket /ws/metrics/{} opened from {}", server.id, remote);
  streams_.metrics.subscribe(session, server);
  co_await session->run();
  streams_.metrics.unsubscribe(session);
  spdlog::debug("websocket /ws/metrics/{} from {} closed", server.id, remote);
}

}  // namespace sentinel::ws
