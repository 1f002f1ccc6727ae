// HttpServer's connection caps, timeouts and client address, over real
// sockets on loopback (127.0.0.x are distinct client addresses on Linux).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/request_dispatcher.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/websocket_upgrade.hpp"

using namespace sentinel::http;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// A server on 127.0.0.1:<free port>, run by two threads.
struct TestServer {
  explicit TestServer(ServerOptions o) {
    router.add("GET", "/whoami", [](Request& q) -> asio::awaitable<Response> {
      Response r;
      r.content_type = "text/plain";
      r.body = q.remote_address + " " + q.client_key;
      co_return r;
    });
    router.add("GET", "/slow", [](Request&) -> asio::awaitable<Response> {
      asio::steady_timer t(co_await asio::this_coro::executor, 1500ms);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      co_return Response{};
    });
    o.port = 0;
    o.on_connection_limited = [this](std::string_view reason) {
      std::lock_guard lock(mutex);
      reasons.emplace_back(reason);
    };
    server = std::make_unique<HttpServer>(io, dispatcher, std::move(o));
  }
  void start() {
    server->start();
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
  }
  ~TestServer() {
    server->stop();
    io.stop();
    for (auto& t : threads) t.join();
  }
  std::vector<std::string> limited() {
    std::lock_guard lock(mutex);
    return reasons;
  }

  asio::io_context io{2};
  Router router;
  RequestDispatcher dispatcher{router, DispatchOptions{}};
  std::unique_ptr<HttpServer> server;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::vector<std::string> reasons;
};

// A blocking client socket from `source` (e.g. "127.0.0.2").
class Client {
 public:
  Client(const char* source, std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source, &from.sin_addr);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from), 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  }
  ~Client() { close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Client(Client&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool send(std::string_view data) { return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size()); }

  // One request; the body of the answer, or "" when the connection was closed.
  std::string get(std::string_view path, std::string_view extra_headers = "") {
    if (!send("GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra_headers) + "\r\n")) return "";
    std::string in;
    char buf[4096];
    for (;;) {
      const auto head_end = in.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const auto cl = in.find("Content-Length: ");
        const auto length = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
        if (in.size() >= head_end + 4 + length) return in.substr(head_end + 4, length);
      }
      if (!readable(5s)) return "";
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return "";
      in.append(buf, static_cast<std::size_t>(n));
    }
  }

  // True when the server closed the connection within `within`.
  bool closed_within(std::chrono::milliseconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      if (!readable(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())))
        return false;
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;
    }
    return false;
  }

 private:
  bool readable(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, timeout.count()))) > 0;
  }
  int fd_;
};

template <class F>
bool eventually(F f, std::chrono::milliseconds within = 2s) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return f();
}

}  // namespace

TEST(ServerLimits, DefaultsAreTheContract) {
  const ServerOptions o;
  EXPECT_EQ(o.idle_timeout, 60s);
  EXPECT_EQ(o.read_timeout, 30s);
  EXPECT_EQ(o.max_connections, 10000u);
  EXPECT_EQ(o.max_connections_per_client, 256u);
}

TEST(ServerLimits, PerClientCapRefusesThatClientOnlyAndKeepsAccepting) {
  TestServer t(ServerOptions{.max_connections = 100, .max_connections_per_client = 3});
  t.start();
  const auto port = t.server->port();
  std::vector<Client> held;
  for (int i = 0; i < 3; ++i) {
    held.emplace_back("127.0.0.2", port);
    EXPECT_EQ(held.back().get("/whoami"), "127.0.0.2 127.0.0.2");
  }
  Client over("127.0.0.2", port);
  EXPECT_TRUE(over.closed_within(1s)) << "the 4th connection of one address is closed at once";
  Client other("127.0.0.3", port);
  EXPECT_EQ(other.get("/whoami"), "127.0.0.3 127.0.0.3") << "another address is served";
  EXPECT_EQ(t.limited(), std::vector<std::string>{"per_client"});

  held.front().close();
  ASSERT_TRUE(eventually([&] { return t.server->counted_connections() == 3; }));
  Client again("127.0.0.2", port);
  EXPECT_EQ(again.get("/whoami"), "127.0.0.2 127.0.0.2") << "room again once one closed";

  held.clear();
  again.close();
  other.close();
  EXPECT_TRUE(eventually([&] { return t.server->counted_connections() == 0 && t.server->connected_clients() == 0; }))
      << "the per-client map empties with the connections";
}

TEST(ServerLimits, GlobalCapClosesAnIdleConnectionOfTheHeaviestClient) {
  TestServer t(ServerOptions{.max_connections = 4, .max_connections_per_client = 3});
  t.start();
  const auto port = t.server->port();
  std::vector<Client> attacker;
  for (int i = 0; i < 3; ++i) attacker.emplace_back("127.0.0.2", port);  // idle, never send
  Client neighbour("127.0.0.3", port);
  EXPECT_EQ(neighbour.get("/whoami"), "127.0.0.3 127.0.0.3");
  ASSERT_TRUE(eventually([&] { return t.server->counted_connections() == 4; }));

  Client newcomer("127.0.0.4", port);
  EXPECT_EQ(newcomer.get("/whoami"), "127.0.0.4 127.0.0.4") << "a new client gets in at the global cap";
  EXPECT_TRUE(attacker.front().closed_within(2s)) << "the oldest idle connection of the heaviest client made room";
  EXPECT_EQ(neighbour.get("/whoami"), "127.0.0.3 127.0.0.3") << "the light client's keep-alive is untouched";
  EXPECT_EQ(t.limited(), std::vector<std::string>{"evicted_idle"});
}

TEST(ServerLimits, GlobalCapRefusesWhenEveryConnectionIsBusy) {
  TestServer t(ServerOptions{.max_connections = 2, .max_connections_per_client = 2});
  t.start();
  const auto port = t.server->port();
  Client a("127.0.0.2", port), b("127.0.0.3", port);
  ASSERT_TRUE(a.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(b.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::this_thread::sleep_for(300ms);
  Client c("127.0.0.4", port);
  EXPECT_TRUE(c.closed_within(1s));
  EXPECT_EQ(t.limited(), std::vector<std::string>{"max_connections"});
  a.close();
  b.close();
  ASSERT_TRUE(eventually([&] { return t.server->counted_connections() == 0; }, 3s));
  Client d("127.0.0.4", port);
  EXPECT_EQ(d.get("/whoami"), "127.0.0.4 127.0.0.4") << "accepting went on";
}

TEST(ServerLimits, AHeaderDribbleIsCutAtTheReadTimeoutEvenOnAKeptAliveConnection) {
  TestServer t(ServerOptions{.read_timeout = 1s, .idle_timeout = 4s});
  t.start();
  Client c("127.0.0.2", t.server->port());
  ASSERT_EQ(c.get("/whoami"), "127.0.0.2 127.0.0.2");
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.send("GET /whoami HTTP/1.1\r\n"));
  bool closed = false;
  for (int i = 0; i < 30 && !closed; ++i) {
    c.send("X-Slow: a\r\n");
    closed = c.closed_within(100ms);
  }
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_LT(took, 2500ms) << "cut at read_timeout (1 s), not at idle_timeout (4 s)";
}

TEST(ServerLimits, AnIdleKeepAliveConnectionIsClosedAtTheIdleTimeout) {
  TestServer t(ServerOptions{.read_timeout = 5s, .idle_timeout = 1s});
  t.start();
  Client c("127.0.0.2", t.server->port());
  ASSERT_EQ(c.get("/whoami"), "127.0.0.2 127.0.0.2");
  EXPECT_FALSE(c.closed_within(500ms));
  EXPECT_TRUE(c.closed_within(2s));
}

TEST(ServerLimits, ClientAddressComesFromTrustedProxiesOnly) {
  TestServer t(ServerOptions{.max_connections_per_client = 1, .trusted_proxies = {"127.0.0.2/32"}});
  t.start();
  const auto port = t.server->port();
  Client proxy("127.0.0.2", port);
  EXPECT_EQ(proxy.get("/whoami", "X-Forwarded-For: 6.6.6.6, 2001:db8:1:2::7\r\n"), "2001:db8:1:2::7 2001:db8:1:2::/64");
  Client proxy2("127.0.0.2", port);
  EXPECT_EQ(proxy2.get("/whoami", "X-Forwarded-For: 203.0.113.9\r\n"), "203.0.113.9 203.0.113.9")
      << "a trusted proxy is not held to the per-client cap";
  Client direct("127.0.0.3", port);
  EXPECT_EQ(direct.get("/whoami", "X-Forwarded-For: 203.0.113.9\r\n"), "127.0.0.3 127.0.0.3");
}

TEST(ServerLimits, WebSocketsCountAgainstTheCaps) {
  TestServer t(ServerOptions{.max_connections_per_client = 1});
  std::atomic<int> upgraded{0};
  t.server->set_websocket_handler([&upgraded](WebSocketUpgrade up) -> asio::awaitable<void> {
    ++upgraded;
    asio::steady_timer timer(up.stream.get_executor(), 1500ms);  // holds the connection
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  });
  t.start();
  const auto port = t.server->port();
  Client ws("127.0.0.2", port);
  ASSERT_TRUE(ws.send("GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
  ASSERT_TRUE(eventually([&] { return upgraded == 1; }));
  EXPECT_EQ(t.server->counted_connections(), 1u);
  Client second("127.0.0.2", port);
  EXPECT_TRUE(second.closed_within(1s)) << "the WebSocket holds the address's only slot";
  EXPECT_TRUE(eventually([&] { return t.server->counted_connections() == 0; }, 3s)) << "released when it ends";
}
