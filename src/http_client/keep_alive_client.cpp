#include "http_client/keep_alive_client.hpp"

// See alerting/rule_evaluator.cpp: a g++ 12 false positive on Asio's coroutine frames.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <cstdint>
#include <mutex>
#include <unordered_set>
#include <utility>
#include <vector>

namespace sentinel::http_client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
// As curl's default: a peer that does not accept within this is unreachable.
constexpr std::chrono::milliseconds connect_limit{5000};
// Idle connections older than this are closed rather than reused: servers
// close idle connections on their own (Prometheus after its 5 min read
// timeout), and a request on one that is being closed must be sent twice.
constexpr std::chrono::seconds idle_limit{30};

std::string base64(std::string_view in) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                   static_cast<unsigned char>(in[i + 2]);
    out += table[(n >> 18) & 63];
    out += table[(n >> 12) & 63];
    out += table[(n >> 6) & 63];
    out += table[n & 63];
  }
  if (i < in.size()) {
    const bool two = i + 1 < in.size();
    const auto n = (static_cast<unsigned char>(in[i]) << 16) | (two ? static_cast<unsigned char>(in[i + 1]) << 8 : 0);
    out += table[(n >> 18) & 63];
    out += table[(n >> 12) & 63];
    out += two ? table[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

// Not in the anonymous namespace: KeepAliveClient::Pool holds connections.
namespace keep_alive {

// What another thread may do to a connection's exchange under way: its
// deadline timer and shutdown() interrupt it by shutting the socket down,
// which completes the pending connect, write or read with an error. The
// socket is shut down, never closed, so its descriptor cannot be reused by
// anything else meanwhile; and only while the exchange that armed the
// interruption is still the one under way.
class Interrupter {
 public:
  // Starts an exchange on `fd`; nullopt when the client is already shut down.
  std::optional<std::uint64_t> begin(int socket_fd) {
    std::lock_guard lock(mutex_);
    if (aborted_) return std::nullopt;
    fd_ = socket_fd;
    timed_out_ = false;
    return ++current_;
  }
  void end() {
    std::lock_guard lock(mutex_);
    fd_ = -1;
  }
  void time_out(std::uint64_t exchange) {
    std::lock_guard lock(mutex_);
    if (fd_ < 0 || exchange != current_) return;
    timed_out_ = true;
    ::shutdown(fd_, SHUT_RDWR);
  }
  // For good: shutdown().
  void abort() {
    std::lock_guard lock(mutex_);
    aborted_ = true;
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  }
  // Why the exchange that just ended failed, if it was interrupted.
  std::optional<FailureKind> interrupted() {
    std::lock_guard lock(mutex_);
    if (aborted_) return FailureKind::aborted;
    if (timed_out_) return FailureKind::timeout;
    return std::nullopt;
  }

 private:
  std::mutex mutex_;
  int fd_ = -1;                // the socket while an exchange is under way
  std::uint64_t current_ = 0;  // which exchange: a late timer of an earlier one does nothing
  bool timed_out_ = false;
  bool aborted_ = false;
};

struct Connection {
  Connection(const asio::any_io_executor& ex, std::shared_ptr<KeepAliveClient::Pool> owner);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `op` (a connect, or a request and its response, on this socket)
  // until `deadline`; shutdown() interrupts it too. Check interrupter's
  // interrupted() afterwards: the error code alone does not say why.
  asio::awaitable<boost::system::error_code> bounded(Clock::time_point deadline,
                                                     asio::awaitable<boost::system::error_code> op) {
    const auto exchange = interrupter->begin(socket.native_handle());
    if (!exchange) co_return asio::error::operation_aborted;
    timer.expires_at(deadline);
    timer.async_wait([interrupter = interrupter, id = *exchange](const boost::system::error_code& ec) {
      if (!ec) interrupter->time_out(id);
    });
    auto ec = co_await std::move(op);
    interrupter->end();  // first: a timer firing now finds nothing to interrupt
    timer.cancel();
    co_return ec;
  }

  tcp::socket socket;
  asio::steady_timer timer;
  beast::flat_buffer buffer;  // bytes read past a response (none, unless the server misbehaves)
  std::shared_ptr<Interrupter> interrupter;
  std::shared_ptr<KeepAliveClient::Pool> pool;
  Clock::time_point idle_since{};
};

}  // namespace keep_alive

using keep_alive::Connection;

// What a request under way needs, shared with it: the client may be
// destroyed (after shutdown()) before the request has unwound.
struct KeepAliveClient::Pool {
  Pool(asio::any_io_executor ex, PlainHttpOrigin where, std::size_t idle_limit_count)
      : executor(std::move(ex)), origin(std::move(where)), max_idle(idle_limit_count) {}
  const asio::any_io_executor executor;
  const PlainHttpOrigin origin;
  std::mutex mutex;
  std::vector<std::unique_ptr<Connection>> idle;       // most recently used last
  std::unordered_set<keep_alive::Interrupter*> open;  // every open connection's, for shutdown()
  std::vector<tcp::endpoint> endpoints;               // the origin resolved; empty: resolve again
  std::size_t max_idle;
  std::size_t opened = 0;
  bool stopped = false;
};

keep_alive::Connection::Connection(const asio::any_io_executor& ex, std::shared_ptr<KeepAliveClient::Pool> owner)
    : socket(ex), timer(ex), interrupter(std::make_shared<Interrupter>()), pool(std::move(owner)) {
  std::lock_guard lock(pool->mutex);
  pool->open.insert(interrupter.get());
  if (pool->stopped) interrupter->abort();
}

keep_alive::Connection::~Connection() {
  std::lock_guard lock(pool->mutex);
  pool->open.erase(interrupter.get());
}

namespace {

Failure failure(FailureKind kind, std::string message) { return Failure{kind, std::move(message)}; }

asio::awaitable<boost::system::error_code> connect_to(tcp::socket& socket, tcp::endpoint endpoint) {
  auto [ec] = co_await socket.async_connect(endpoint, nothrow);
  co_return ec;
}

asio::awaitable<boost::system::error_code> exchange(tcp::socket& socket, beast::flat_buffer& buffer,
                                                    const bhttp::request<bhttp::string_body>& request,
                                                    bhttp::response_parser<bhttp::string_body>& parser) {
  auto [write_ec, written] = co_await bhttp::async_write(socket, request, nothrow);
  if (write_ec) co_return write_ec;
  auto [read_ec, read] = co_await bhttp::async_read(socket, buffer, parser, nothrow);
  co_return read_ec;
}

}  // namespace

std::optional<PlainHttpOrigin> plain_http_origin(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (url.size() < scheme.size() || lower(url.substr(0, scheme.size())) != scheme) return std::nullopt;
  url.remove_prefix(scheme.size());
  const auto authority = url.substr(0, url.find_first_of("/?#"));
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  PlainHttpOrigin origin;
  origin.authority = std::string(authority);
  std::string_view host = authority, port;
  if (authority.front() == '[') {  // [IPv6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    const auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return std::nullopt;
  if (port.empty()) port = "80";
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoul(std::string(port)) > 65535)
    return std::nullopt;
  origin.host = std::string(host);
  origin.port = std::string(port);
  return origin;
}

KeepAliveClient::KeepAliveClient(asio::any_io_executor executor, PlainHttpOrigin origin, std::size_t max_idle)
    : pool_(std::make_shared<Pool>(std::move(executor), std::move(origin), max_idle)) {}

KeepAliveClient::~KeepAliveClient() { shutdown(); }

std::size_t KeepAliveClient::connections_opened() const {
  std::lock_guard lock(pool_->mutex);
  return pool_->opened;
}

void KeepAliveClient::shutdown() {
  std::vector<std::unique_ptr<Connection>> idle;
  {
    std::lock_guard lock(pool_->mutex);
    pool_->stopped = true;
    idle.swap(pool_->idle);
    for (auto* interrupter : pool_->open) interrupter->abort();
  }
  // `idle` closes here: no operation is pending on an idle connection.
}

namespace {

// Takes the most recently used idle connection that is not too old.
std::unique_ptr<Connection> take_idle(KeepAliveClient::Pool& pool) {
  std::vector<std::unique_ptr<Connection>> stale;
  std::unique_ptr<Connection> found;
  {
    std::lock_guard lock(pool.mutex);
    const auto now = Clock::now();
    while (!pool.idle.empty() && !found) {
      auto c = std::move(pool.idle.back());
      pool.idle.pop_back();
      if (now - c->idle_since < idle_limit) {
        found = std::move(c);
      } else {  // this one and every older one
        stale.push_back(std::move(c));
        for (auto& older : pool.idle) stale.push_back(std::move(older));
        pool.idle.clear();
      }
    }
  }
  return found;  // `stale` closes outside the lock (its destructors take it)
}

void give_back(KeepAliveClient::Pool& pool, std::unique_ptr<Connection> c) {
  c->idle_since = Clock::now();
  {
    std::lock_guard lock(pool.mutex);
    if (!pool.stopped && pool.idle.size() < pool.max_idle) {
      pool.idle.push_back(std::move(c));
      return;
    }
  }
  // `c` closes here, outside the lock (its destructor takes it).
}

// Whether `url` is "http://<origin's authority>" followed by a path, query
// or nothing; checked on every request, so without parsing or allocating.
bool on_origin(std::string_view url, const PlainHttpOrigin& origin) {
  constexpr std::string_view scheme = "http://";
  if (url.size() < scheme.size() + origin.authority.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(url[i])) != scheme[i]) return false;
  url.remove_prefix(scheme.size());
  if (!url.starts_with(origin.authority)) return false;
  url.remove_prefix(origin.authority.size());
  return url.empty() || url.front() == '/' || url.front() == '?' || url.front() == '#';
}

std::string describe(const PlainHttpOrigin& origin, const boost::system::error_code& ec) {
  return "cannot reach " + origin.authority + ": " + ec.message();
}

}  // namespace

// A new connection to the origin, or why there is none.
namespace {

asio::awaitable<std::expected<std::unique_ptr<Connection>, Failure>> connect(std::shared_ptr<KeepAliveClient::Pool> pool,
                                                                            Clock::time_point deadline) {
  const PlainHttpOrigin& origin = pool->origin;
  std::vector<tcp::endpoint> endpoints;
  {
    std::lock_guard lock(pool->mutex);
    endpoints = pool->endpoints;
  }
  if (endpoints.empty()) {
    // Not interruptible (getaddrinfo on Asio's resolver thread: a hung DNS
    // server holds it for the resolver's own timeouts); addresses are kept
    // until a connect fails, so this is rare, and an address literal
    // resolves at once.
    tcp::resolver resolver(pool->executor);
    auto [ec, results] = co_await resolver.async_resolve(origin.host, origin.port, nothrow);
    if (ec) co_return std::unexpected(failure(FailureKind::connect, describe(origin, ec)));
    if (Clock::now() >= deadline)
      co_return std::unexpected(failure(FailureKind::timeout, "resolving " + origin.host + " timed out"));
    for (const auto& r : results) endpoints.push_back(r.endpoint());
  }
  auto conn = std::make_unique<Connection>(pool->executor, pool);
  boost::system::error_code ec = asio::error::host_not_found;
  for (const auto& endpoint : endpoints) {  // each address in turn, as curl does
    conn->socket.close(ec);
    conn->socket.open(endpoint.protocol(), ec);
    if (ec) continue;
    ec = co_await conn->bounded(std::min(deadline, Clock::now() + connect_limit), connect_to(conn->socket, endpoint));
    if (const auto why = conn->interrupter->interrupted()) {
      if (*why == FailureKind::aborted) co_return std::unexpected(failure(*why, "HTTP client stopped"));
      if (Clock::now() >= deadline) co_return std::unexpected(failure(*why, "connecting timed out"));
      ec = asio::error::timed_out;  // this address does not answer: try the next
    }
    if (!ec) break;
  }
  {
    std::lock_guard lock(pool->mutex);
    if (ec) {
      pool->endpoints.clear();  // resolve again next time: the addresses may have changed
    } else {
      pool->endpoints = endpoints;
      ++pool->opened;
    }
  }
  if (ec) co_return std::unexpected(failure(FailureKind::connect, describe(origin, ec)));
  conn->socket.set_option(tcp::no_delay(true), ec);
  co_return conn;
}

}  // namespace

asio::awaitable<Outcome> KeepAliveClient::send(Request request) {
  const auto deadline = Clock::now() + request.timeout;
  auto pool = pool_;  // not `this`: the client may be destroyed while this runs
  const PlainHttpOrigin& origin = pool->origin;

  if (!on_origin(request.url, origin) || request.proxy)
    co_return std::unexpected(failure(FailureKind::other, "not a plain HTTP request to " + origin.authority));
  std::string target = request.url.substr(std::string_view("http://").size() + origin.authority.size());
  if (const auto fragment = target.find('#'); fragment != std::string::npos) target.resize(fragment);
  if (target.empty() || target.front() != '/') target.insert(0, "/");

  // The request, built once and sent on whichever connection.
  bhttp::request<bhttp::string_body> req;
  const auto verb = bhttp::string_to_verb(request.method);
  if (verb == bhttp::verb::unknown)
    req.method_string(request.method);
  else
    req.method(verb);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, origin.authority);
  req.set(bhttp::field::user_agent, "sentinel");
  for (const auto& h : request.headers) {
    const auto colon = h.find(':');
    if (colon == std::string::npos) continue;
    auto value = std::string_view(h).substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.set(std::string_view(h).substr(0, colon), value);
  }
  if (request.username)
    req.set(bhttp::field::authorization, "Basic " + base64(*request.username + ":" + request.password.value_or("")));
  if (verb != bhttp::verb::get && verb != bhttp::verb::head) {
    req.body() = std::move(request.body);
    req.prepare_payload();
  }

  for (int attempt = 0;; ++attempt) {
    // A kept-alive connection first; a new one when there is none, and for
    // the second attempt.
    std::unique_ptr<Connection> conn = attempt == 0 ? take_idle(*pool) : nullptr;
    const bool reused = conn != nullptr;
    if (!conn) {
      auto connected = co_await connect(pool, deadline);
      if (!connected) co_return std::unexpected(std::move(connected.error()));
      conn = std::move(*connected);
    }

    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(request.max_response_bytes);
    if (verb == bhttp::verb::head) parser.skip(true);
    const auto ec = co_await conn->bounded(deadline, exchange(conn->socket, conn->buffer, req, parser));
    if (const auto why = conn->interrupter->interrupted()) {
      co_return std::unexpected(failure(*why, *why == FailureKind::aborted
                                                  ? std::string("HTTP client stopped")
                                                  : "no answer within " + std::to_string(request.timeout.count()) + " ms"));
    }
    if (ec == bhttp::error::body_limit)
      co_return std::unexpected(failure(FailureKind::too_large, "response larger than " +
                                                                    std::to_string(request.max_response_bytes) + " bytes"));
    if (ec) {
      // The server closed a kept-alive connection before this request
      // reached it (idle timeout, restart): send it again, once, on a new
      // connection. Nothing of an answer arrived, so nothing was done twice
      // that a query could notice.
      if (reused && !parser.got_some()) continue;
      const bool network = ec.category() != bhttp::make_error_code(bhttp::error::bad_version).category() ||
                           ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message;
      co_return std::unexpected(failure(network ? FailureKind::connect : FailureKind::other,
                                        network ? describe(origin, ec) : "bad HTTP answer from " + origin.authority +
                                                                              ": " + ec.message()));
    }

    auto& res = parser.get();
    Response response;
    response.status = res.result_int();
    response.headers.reserve(8);
    for (const auto& field : res) response.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
    response.body = std::move(res.body());
    if (res.keep_alive()) give_back(*pool, std::move(conn));
    co_return response;
  }
}

}  // namespace sentinel::http_client
