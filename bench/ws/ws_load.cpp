// ws_load: many WebSocket clients of Sentinel's /ws/metrics/{server_id} in
// ONE thread on ONE io_context (Boost.Beast), for bench/ws/run.sh (and of
// /ws/fleet, for bench/fleet/run.sh: --path).
//
//   ws_load --port P --token JWT --servers 1,2,3 [--host 127.0.0.1] [--clients 5000]
//           [--parallel 64] [--connect-timeout 60]
//   ws_load --port P --token JWT --path '/ws/fleet?delta=1' [...]
//
// Client i subscribes to servers[i % servers.size()] (/ws/metrics/<id>), or,
// with --path, every client opens that path (with "token=<JWT>" appended to
// its query). At most --parallel connections are being opened (TCP +
// handshake) at any time, so the listen backlog and the token checks are not
// flooded.
//
// Protocol with the driving script (stdout, one "key value" per line):
//   "connected N failed M seconds S"   once every client is connected or has failed
//   SIGUSR1                            opens the measurement window
//   SIGUSR2                            closes it; ws_load prints the window's figures
//                                      (below), closes every connection and exits
//   SIGTERM / SIGINT                   exit at once
// Figures: window_seconds, frames (metrics frames received in the window),
// error_frames, frames_per_client_min/max, closed (connections lost in the
// window), lag_p50_ms/lag_p99_ms/lag_max_ms (receipt time - "polled_at" of
// every metrics frame received in the window), cpu_seconds (this process's
// user+system CPU over the window), bytes (payload bytes of every frame
// received in the window, all clients), delta_frames (frames holding
// "delta":true), frame_bytes_max (the largest frame in the window),
// closed_before_window (connections lost after their handshake but before
// the window, e.g. closed by Sentinel with 4429 past WS_MAX_PER_USER).
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::string port;
  std::string token;
  std::vector<long> servers;
  std::string path;  // instead of /ws/metrics/<server>: this path for every client
  std::size_t clients = 5000;
  std::size_t parallel = 64;
  int connect_timeout_sec = 60;
};

[[noreturn]] void usage(const char* why) {
  std::cerr << "ws_load: " << why
            << "\nusage: ws_load --port P --token JWT (--servers 1,2,3 | --path /ws/fleet?delta=1) [--host H]"
               " [--clients N] [--parallel K] [--connect-timeout S]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) usage("missing value");
    const std::string v = argv[++i];
    if (a == "--host") o.host = v;
    else if (a == "--port") o.port = v;
    else if (a == "--token") o.token = v;
    else if (a == "--clients") o.clients = std::stoul(v);
    else if (a == "--parallel") o.parallel = std::max<std::size_t>(1, std::stoul(v));
    else if (a == "--connect-timeout") o.connect_timeout_sec = std::stoi(v);
    else if (a == "--path") o.path = v;
    else if (a == "--servers") {
      std::size_t pos = 0;
      while (pos < v.size()) {
        auto comma = v.find(',', pos);
        if (comma == std::string::npos) comma = v.size();
        o.servers.push_back(std::stol(v.substr(pos, comma - pos)));
        pos = comma + 1;
      }
    } else usage("unknown option");
  }
  if (o.port.empty() || o.token.empty() || (o.servers.empty() && o.path.empty()))
    usage("--port, --token and --servers (or --path) are required");
  return o;
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto s = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

// "polled_at": a JSON number (Boost.JSON may write 1.764E9 notation).
bool polled_at_of(std::string_view frame, double& out) {
  constexpr std::string_view key = "\"polled_at\":";
  const auto at = frame.find(key);
  if (at == std::string_view::npos) return false;
  const char* first = frame.data() + at + key.size();
  const char* last = frame.data() + frame.size();
  while (first < last && *first == ' ') ++first;
  const auto [p, ec] = std::from_chars(first, last, out);
  return ec == std::errc{} && p != first;
}

struct Shared {
  Options opt;
  tcp::endpoint endpoint;
  std::size_t next = 0;  // next client index to connect
  std::size_t connected = 0;
  std::size_t failed = 0;
  bool ramp_reported = false;
  std::chrono::steady_clock::time_point ramp_started;

  bool measuring = false;
  bool stopping = false;
  std::uint64_t frames = 0;
  std::uint64_t error_frames = 0;
  std::uint64_t closed = 0;
  std::uint64_t closed_before = 0;  // connections lost before the window (e.g. refused with 4429 after the handshake)
  std::uint64_t bytes = 0;
  std::uint64_t delta_frames = 0;
  std::size_t frame_bytes_max = 0;
  std::vector<std::int32_t> lag_us;       // one entry per metrics frame in the window
  std::vector<std::uint32_t> per_client;  // frames per client in the window
  std::vector<std::shared_ptr<websocket::stream<beast::tcp_stream>>> streams;
};

void report_ramp(Shared& s) {
  if (s.ramp_reported || s.connected + s.failed < s.opt.clients) return;
  s.ramp_reported = true;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - s.ramp_started).count();
  std::printf("connected %zu failed %zu seconds %.2f\n", s.connected, s.failed, secs);
  std::fflush(stdout);
}

asio::awaitable<void> reader(Shared& s, std::size_t index, std::shared_ptr<websocket::stream<beast::tcp_stream>> ws) {
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws->async_read(buffer, nothrow);
    if (ec) {
      if (s.measuring) ++s.closed;
      if (!s.stopping && !s.measuring) {
        ++s.closed_before;
        if (s.ramp_reported || s.closed_before <= 5)
          std::fprintf(stderr, "ws_load: client %zu closed: %s (close code %u %s)\n", index, ec.message().c_str(),
                       static_cast<unsigned>(ws->reason().code), std::string(ws->reason().reason.c_str()).c_str());
      }
      co_return;
    }
    if (s.measuring) {
      const double now = unix_now();
      const auto data = buffer.cdata();
      const std::string_view frame(static_cast<const char*>(data.data()), data.size());
      s.bytes += frame.size();
      s.frame_bytes_max = std::max(s.frame_bytes_max, frame.size());
      // The frame's head: "delta" comes before the (long) list of servers.
      if (frame.substr(0, 256).find("\"delta\":true") != std::string_view::npos) ++s.delta_frames;
      double polled_at = 0;
      if (polled_at_of(frame, polled_at)) {
        ++s.frames;
        ++s.per_client[index];
        const double lag_us = (now - polled_at) * 1e6;
        s.lag_us.push_back(static_cast<std::int32_t>(std::clamp(lag_us, -2e9, 2e9)));
      } else {
        ++s.error_frames;
      }
    }
    buffer.consume(n);
  }
}

// One of `parallel` workers: takes the next client index, connects it, hands
// it to a reader, repeats.
asio::awaitable<void> connector(Shared& s) {
  auto ex = co_await asio::this_coro::executor;
  while (s.next < s.opt.clients) {
    const std::size_t index = s.next++;
    auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(ex);
    auto& tcp_layer = beast::get_lowest_layer(*ws);
    tcp_layer.expires_after(std::chrono::seconds(s.opt.connect_timeout_sec));
    auto [cec] = co_await tcp_layer.async_connect(s.endpoint, nothrow);
    if (!cec) {
      tcp_layer.socket().set_option(tcp::no_delay(true));
      const std::string target =
          s.opt.path.empty()
              ? "/ws/metrics/" + std::to_string(s.opt.servers[index % s.opt.servers.size()]) + "?token=" + s.opt.token
              : s.opt.path + (s.opt.path.find('?') == std::string::npos ? "?" : "&") + "token=" + s.opt.token;
      auto [hec] = co_await ws->async_handshake(s.opt.host, target, nothrow);
      cec = hec;
    }
    if (cec) {
      ++s.failed;
      if (s.failed <= 5) std::fprintf(stderr, "ws_load: client %zu: %s\n", index, cec.message().c_str());
      report_ramp(s);
      continue;
    }
    tcp_layer.expires_never();
    // Sentinel pings every WS_PING_INTERVAL_SEC; Beast answers while a read is pending.
    websocket::stream_base::timeout t = websocket::stream_base::timeout::suggested(beast::role_type::client);
    t.idle_timeout = websocket::stream_base::none();
    ws->set_option(t);
    ++s.connected;
    s.streams[index] = ws;
    asio::co_spawn(ex, reader(s, index, ws), asio::detached);
    report_ramp(s);
  }
}

void print_window(Shared& s, double window_seconds, double cpu) {
  auto& lags = s.lag_us;
  std::sort(lags.begin(), lags.end());
  auto pct = [&](double p) -> double {
    if (lags.empty()) return 0;
    auto i = static_cast<std::size_t>(p * static_cast<double>(lags.size() - 1) + 0.5);
    return static_cast<double>(lags[std::min(i, lags.size() - 1)]) / 1000.0;
  };
  std::uint32_t mn = UINT32_MAX, mx = 0;
  for (std::size_t i = 0; i < s.per_client.size(); ++i) {
    if (!s.streams[i]) continue;
    mn = std::min(mn, s.per_client[i]);
    mx = std::max(mx, s.per_client[i]);
  }
  if (mn == UINT32_MAX) mn = 0;
  std::printf("window_seconds %.3f\nclients %zu\nframes %llu\nerror_frames %llu\nframes_per_client_min %u\n"
              "frames_per_client_max %u\nclosed %llu\nlag_p50_ms %.2f\nlag_p90_ms %.2f\nlag_p99_ms %.2f\n"
              "lag_max_ms %.2f\nlag_min_ms %.2f\ncpu_seconds %.3f\nbytes %llu\ndelta_frames %llu\n"
              "frame_bytes_max %zu\nclosed_before_window %llu\n",
              window_seconds, s.connected, static_cast<unsigned long long>(s.frames),
              static_cast<unsigned long long>(s.error_frames), mn, mx, static_cast<unsigned long long>(s.closed),
              pct(0.50), pct(0.90), pct(0.99), lags.empty() ? 0.0 : static_cast<double>(lags.back()) / 1000.0,
              lags.empty() ? 0.0 : static_cast<double>(lags.front()) / 1000.0, cpu,
              static_cast<unsigned long long>(s.bytes), static_cast<unsigned long long>(s.delta_frames),
              s.frame_bytes_max, static_cast<unsigned long long>(s.closed_before));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Shared s;
  s.opt = parse(argc, argv);
  s.per_client.assign(s.opt.clients, 0);
  s.streams.resize(s.opt.clients);
  s.lag_us.reserve(s.opt.clients * 64);

  asio::io_context io(1);
  tcp::resolver resolver(io);
  s.endpoint = *resolver.resolve(s.opt.host, s.opt.port).begin();

  std::chrono::steady_clock::time_point window_start;
  double cpu_start = 0;
  asio::signal_set window(io, SIGUSR1, SIGUSR2);
  asio::signal_set quit(io, SIGTERM, SIGINT);
  quit.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) std::_Exit(1);
  });
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                              int sig) {
    if (ec) return;
    if (sig == SIGUSR1 && !s.measuring) {
      std::fill(s.per_client.begin(), s.per_client.end(), 0u);
      s.lag_us.clear();
      s.frames = s.error_frames = s.closed = s.bytes = s.delta_frames = 0;
      s.frame_bytes_max = 0;
      window_start = std::chrono::steady_clock::now();
      cpu_start = cpu_seconds();
      s.measuring = true;
      window.async_wait(on_signal);
    } else if (sig == SIGUSR2 && s.measuring) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - window_start).count();
      const double cpu = cpu_seconds() - cpu_start;
      s.measuring = false;
      s.stopping = true;
      print_window(s, secs, cpu);
      for (auto& ws : s.streams)
        if (ws) beast::get_lowest_layer(*ws).socket().close();
      quit.cancel();
      window.cancel();
    } else {
      window.async_wait(on_signal);
    }
  };
  window.async_wait(on_signal);

  s.ramp_started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < std::min(s.opt.parallel, s.opt.clients); ++i)
    asio::co_spawn(io, connector(s), asio::detached);
  io.run();
  const int rc = s.connected == s.opt.clients ? 0 : 1;
  s.streams.clear();  // the streams belong to `io`: destroy them before it
  return rc;
}
