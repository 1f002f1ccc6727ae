// query_load: the raw limit of bench/alerts/run.sh. Sends a fixed list of
// PromQL instant queries straight to Prometheus, at most --concurrency at a
// time (one keep-alive connection each, one thread, Boost.Beast), and times
// how long the whole list takes: what any client asking these queries at that
// concurrency needs at least, with nothing else to do per query.
//
//   query_load --port P --queries FILE [--host 127.0.0.1] [--concurrency 16] [--accept-encoding gzip]
//
// FILE holds one expression per line. The tool reads commands on stdin, one
// per line, so bench/alerts/run.sh can interleave its rounds with Sentinel's
// and vmalert's on the same warm connections:
//   round   send every query of FILE once; prints
//           "seconds S queries N errors E empty Z cpu_seconds C"
//           (E: not 200/"success"; Z: answers with an empty result; C: this
//           process's user+system CPU during the round)
//   quit    (or end of input) exit
// Queries are sent as Sentinel sends them (src/prometheus/client.cpp): POST
// /api/v1/query, form fields query, timeout=9000ms and time=now (seconds),
// "Accept-Encoding: identity" (--accept-encoding gzip asks for gzip instead, as
// Go's HTTP client, and so vmalert, does: to see what that costs Prometheus).
#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::string port, queries_file;
  std::size_t concurrency = 16;
  std::string accept_encoding = "identity";
};

[[noreturn]] void usage(const char* why) {
  std::cerr << "query_load: " << why
            << "\nusage: query_load --port P --queries FILE [--host H] [--concurrency N] [--accept-encoding E]"
               "  (commands on stdin: round | quit)\n";
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
    else if (a == "--queries") o.queries_file = v;
    else if (a == "--concurrency") o.concurrency = static_cast<std::size_t>(std::stoul(v));
    else if (a == "--accept-encoding") o.accept_encoding = v;
    else usage("unknown option");
  }
  if (o.port.empty() || o.queries_file.empty() || o.concurrency == 0) usage("missing option");
  return o;
}

std::string form_encode(std::string_view v) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// One keep-alive HTTP/1.1 connection, reopened when the server closes it.
struct Conn {
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  tcp::endpoint endpoint;
  bool open = false;
  Conn(asio::any_io_executor ex, tcp::endpoint ep) : stream(ex), endpoint(ep) {}

  asio::awaitable<bhttp::response<bhttp::string_body>> exchange(const bhttp::request<bhttp::string_body>& req) {
    if (!open) {
      co_await stream.async_connect(endpoint, asio::use_awaitable);
      stream.socket().set_option(tcp::no_delay(true));
      open = true;
    }
    co_await bhttp::async_write(stream, req, asio::use_awaitable);
    bhttp::response<bhttp::string_body> res;
    co_await bhttp::async_read(stream, buffer, res, asio::use_awaitable);
    if (!res.keep_alive()) {
      beast::error_code ec;
      stream.socket().close(ec);
      open = false;
    }
    co_return res;
  }
};

struct Round {
  std::size_t next = 0, errors = 0, empty = 0;
};

// One connection's share of a round: takes the next query until none is left.
asio::awaitable<void> worker(Conn& conn, const Options& o, const std::vector<std::string>& forms, Round& round) {
  while (round.next < forms.size()) {
    const std::string& form = forms[round.next++];
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/api/v1/query", 11};
    req.set(bhttp::field::host, o.host + ":" + o.port);
    req.set(bhttp::field::content_type, "application/x-www-form-urlencoded");
    req.set(bhttp::field::accept, "application/json");
    req.set(bhttp::field::accept_encoding, o.accept_encoding);
    char t[64];
    std::snprintf(t, sizeof t, "%.3f",
                  std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
    req.body() = form + "&time=" + t;
    req.keep_alive(true);
    req.prepare_payload();
    auto res = co_await conn.exchange(req);
    const std::string& body = res.body();
    const bool compressed = res.find(bhttp::field::content_encoding) != res.end();
    if (res.result_int() != 200 || (!compressed && body.find("\"status\":\"success\"") == std::string::npos))
      ++round.errors;
    else if (body.find("\"result\":[]") != std::string::npos)
      ++round.empty;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::vector<std::string> forms;
  {
    std::ifstream in(o.queries_file);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) forms.push_back("query=" + form_encode(line) + "&timeout=9000ms");
  }
  if (forms.empty()) usage("no queries in --queries file");

  asio::io_context io(1);
  tcp::resolver resolver(io);
  const tcp::endpoint ep = *resolver.resolve(o.host, o.port).begin();
  std::vector<std::unique_ptr<Conn>> conns;
  for (std::size_t i = 0; i < std::min(o.concurrency, forms.size()); ++i)
    conns.push_back(std::make_unique<Conn>(io.get_executor(), ep));

  for (std::string cmd; std::getline(std::cin, cmd);) {
    if (cmd == "quit") break;
    if (cmd != "round") {
      std::fprintf(stderr, "query_load: unknown command %s\n", cmd.c_str());
      continue;
    }
    Round round;
    std::exception_ptr failure;
    const double cpu0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    for (auto& c : conns)
      asio::co_spawn(io, worker(*c, o, forms, round), [&](std::exception_ptr e) {
        if (e && !failure) failure = e;
      });
    io.restart();
    io.run();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "query_load: %s\n", e.what());
      }
      return 1;
    }
    std::printf("seconds %.4f queries %zu errors %zu empty %zu cpu_seconds %.3f\n", seconds, forms.size(),
                round.errors, round.empty, cpu);
    std::fflush(stdout);
  }
  return 0;
}
