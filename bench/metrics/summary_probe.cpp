// summary_probe: latency of Sentinel's summary endpoint next to the raw
// latency of the Prometheus queries behind it, measured in the same rounds
// (one thread, keep-alive connections, Boost.Beast), for bench/metrics/run.sh.
//
//   summary_probe --prometheus-port P --queries FILE --sentinel-port S --summary-path PATH
//                 --token JWT [--combined FILE] [--server-path PATH] [--host 127.0.0.1]
//                 [--rounds 200] [--accept-encoding gzip]
//
// --queries FILE holds the summary's PromQL expressions (the catalogue's), one
// per line; --combined FILE the one query that joins them (what Sentinel
// sends for a summary). Each round:
//   1. every catalogue query alone, one after the other, on one connection;
//   2. all catalogue queries at once, one connection each (the floor of a
//      client that sends them separately but concurrently);
//   3. with --combined, the combined query alone;
//   4. one GET of the summary (one connection; run Sentinel with METRICS_CACHE_TTL_SEC=0);
//   5. with --server-path (GET /api/v1/servers/{id}), one GET of it on the same
//      connection: Sentinel's fixed cost (HTTP, token, server lookup) without Prometheus.
// Queries are sent as Sentinel sends them: POST /api/v1/query with query,
// timeout=9000ms and time=now (ms), without asking for compression (Sentinel
// sends "Accept-Encoding: identity" for instant queries; --accept-encoding gzip
// shows what gzip costs).
// Prints "key value" lines: per query "query_<i>_median_ms", "query_<i>_p90_ms",
// "slowest_query" (index), "slowest_query_median_ms", "all_concurrent_median_ms",
// "summary_median_ms", "summary_p90_ms", "ratio_summary_to_slowest",
// "ratio_summary_to_concurrent"; with --combined "combined_median_ms",
// "combined_p90_ms", "ratio_combined_to_slowest" and "ratio_summary_to_combined";
// with --server-path "server_get_median_ms" and "server_get_p90_ms".
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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
using clock_type = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::string prometheus_port, sentinel_port, queries_file, combined_file, summary_path, server_path, token;
  int rounds = 200;
  bool gzip = false;  // --accept-encoding gzip: ask Prometheus for gzip (libcurl's default)
};

[[noreturn]] void usage(const char* why) {
  std::cerr << "summary_probe: " << why
            << "\nusage: summary_probe --prometheus-port P --queries FILE --sentinel-port S --summary-path PATH"
               " --token JWT [--combined FILE] [--server-path PATH] [--host H] [--rounds N]"
               " [--accept-encoding gzip]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) usage("missing value");
    const std::string v = argv[++i];
    if (a == "--host") o.host = v;
    else if (a == "--prometheus-port") o.prometheus_port = v;
    else if (a == "--sentinel-port") o.sentinel_port = v;
    else if (a == "--queries") o.queries_file = v;
    else if (a == "--combined") o.combined_file = v;
    else if (a == "--summary-path") o.summary_path = v;
    else if (a == "--server-path") o.server_path = v;
    else if (a == "--token") o.token = v;
    else if (a == "--rounds") o.rounds = std::stoi(v);
    else if (a == "--accept-encoding") o.gzip = v == "gzip";
    else usage("unknown option");
  }
  if (o.prometheus_port.empty() || o.sentinel_port.empty() || o.queries_file.empty() || o.summary_path.empty() ||
      o.token.empty())
    usage("missing option");
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

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

// One keep-alive HTTP/1.1 connection.
struct Conn {
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  tcp::endpoint endpoint;
  bool open = false;
  Conn(asio::any_io_executor ex, tcp::endpoint ep) : stream(ex), endpoint(ep) {}

  asio::awaitable<bhttp::response<bhttp::string_body>> exchange(bhttp::request<bhttp::string_body> req) {
    if (!open) {
      co_await stream.async_connect(endpoint, asio::use_awaitable);
      stream.socket().set_option(tcp::no_delay(true));
      open = true;
    }
    req.keep_alive(true);
    req.prepare_payload();
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

bhttp::request<bhttp::string_body> query_request(const Options& o, const std::string& promql) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/api/v1/query", 11};
  req.set(bhttp::field::host, o.host + ":" + o.prometheus_port);
  req.set(bhttp::field::content_type, "application/x-www-form-urlencoded");
  req.set(bhttp::field::accept, "application/json");
  if (o.gzip) req.set(bhttp::field::accept_encoding, "deflate, gzip");
  const double now_ms =
      static_cast<double>(
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count()) /
      1000.0;
  char t[64];
  std::snprintf(t, sizeof t, "%.3f", now_ms);
  req.body() = "query=" + form_encode(promql) + "&timeout=9000ms&time=" + t;
  return req;
}

void check(const bhttp::response<bhttp::string_body>& res, std::string_view what) {
  const bool compressed = res.find(bhttp::field::content_encoding) != res.end();
  if (res.result_int() != 200 || (!compressed && res.body().find("\"success\"") == std::string::npos))
    throw std::runtime_error(std::string(what) + " answered " + std::to_string(res.result_int()) + ": " +
                             res.body().substr(0, 300));
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

asio::awaitable<void> probe(const Options& o, const std::vector<std::string>& queries, const std::string& combined) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  const tcp::endpoint prom = *(co_await resolver.async_resolve(o.host, o.prometheus_port, asio::use_awaitable)).begin();
  const tcp::endpoint sent = *(co_await resolver.async_resolve(o.host, o.sentinel_port, asio::use_awaitable)).begin();
  std::vector<std::unique_ptr<Conn>> prom_conns;
  for (std::size_t i = 0; i < queries.size(); ++i) prom_conns.push_back(std::make_unique<Conn>(ex, prom));
  Conn sentinel(ex, sent);

  std::vector<std::vector<double>> single(queries.size());
  std::vector<double> concurrent, combined_ms, summary, server_get;
  bhttp::request<bhttp::string_body> summary_req{bhttp::verb::get, o.summary_path, 11};
  summary_req.set(bhttp::field::host, o.host + ":" + o.sentinel_port);
  summary_req.set(bhttp::field::authorization, "Bearer " + o.token);
  auto server_req = summary_req;
  server_req.target(o.server_path);

  // Round 0 warms the connections and is not counted.
  for (int round = 0; round <= o.rounds; ++round) {
    for (std::size_t q = 0; q < queries.size(); ++q) {
      auto req = query_request(o, queries[q]);
      const auto t0 = clock_type::now();
      auto res = co_await prom_conns[0]->exchange(std::move(req));
      const double ms = ms_since(t0);
      check(res, "prometheus");
      if (round) single[q].push_back(ms);
    }
    {
      std::size_t pending = queries.size();
      asio::steady_timer done(ex, clock_type::time_point::max());
      std::exception_ptr failure;
      const auto t0 = clock_type::now();
      for (std::size_t q = 0; q < queries.size(); ++q)
        asio::co_spawn(
            ex,
            [&, q]() -> asio::awaitable<void> {
              auto res = co_await prom_conns[q]->exchange(query_request(o, queries[q]));
              check(res, "prometheus");
            },
            [&](std::exception_ptr e) {
              if (e) failure = e;
              if (--pending == 0) done.cancel();
            });
      co_await done.async_wait(asio::as_tuple(asio::use_awaitable));
      const double ms = ms_since(t0);
      if (failure) std::rethrow_exception(failure);
      if (round) concurrent.push_back(ms);
    }
    if (!combined.empty()) {
      auto req = query_request(o, combined);
      const auto t0 = clock_type::now();
      auto res = co_await prom_conns[0]->exchange(std::move(req));
      const double ms = ms_since(t0);
      check(res, "prometheus (combined)");
      if (round) combined_ms.push_back(ms);
    }
    {
      const auto t0 = clock_type::now();
      auto res = co_await sentinel.exchange(summary_req);
      const double ms = ms_since(t0);
      if (res.result_int() != 200)
        throw std::runtime_error("summary answered " + std::to_string(res.result_int()) + ": " + res.body());
      if (round) summary.push_back(ms);
    }
    if (!o.server_path.empty()) {
      const auto t0 = clock_type::now();
      auto res = co_await sentinel.exchange(server_req);
      const double ms = ms_since(t0);
      if (res.result_int() != 200)
        throw std::runtime_error("server GET answered " + std::to_string(res.result_int()) + ": " + res.body());
      if (round) server_get.push_back(ms);
    }
  }

  std::size_t slowest = 0;
  for (std::size_t q = 0; q < queries.size(); ++q) {
    const double med = percentile(single[q], 0.5);
    std::printf("query_%zu_median_ms %.3f\nquery_%zu_p90_ms %.3f\n", q, med, q, percentile(single[q], 0.9));
    if (med > percentile(single[slowest], 0.5)) slowest = q;
  }
  const double slow = percentile(single[slowest], 0.5);
  const double conc = percentile(concurrent, 0.5);
  const double summ = percentile(summary, 0.5);
  std::printf("rounds %d\nslowest_query %zu\nslowest_query_median_ms %.3f\nall_concurrent_median_ms %.3f\n"
              "all_concurrent_p90_ms %.3f\nsummary_median_ms %.3f\nsummary_p90_ms %.3f\n"
              "ratio_summary_to_slowest %.2f\nratio_summary_to_concurrent %.2f\n",
              o.rounds, slowest, slow, conc, percentile(concurrent, 0.9), summ, percentile(summary, 0.9),
              summ / slow, summ / conc);
  if (!combined_ms.empty()) {
    const double comb = percentile(combined_ms, 0.5);
    std::printf("combined_median_ms %.3f\ncombined_p90_ms %.3f\nratio_combined_to_slowest %.2f\n"
                "ratio_summary_to_combined %.2f\n",
                comb, percentile(combined_ms, 0.9), comb / slow, summ / comb);
  }
  if (!server_get.empty())
    std::printf("server_get_median_ms %.3f\nserver_get_p90_ms %.3f\n", percentile(server_get, 0.5),
                percentile(server_get, 0.9));
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::vector<std::string> queries;
  std::ifstream in(o.queries_file);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) queries.push_back(line);
  if (queries.empty()) usage("no queries in --queries file");
  std::string combined;
  if (!o.combined_file.empty()) {
    std::ifstream c(o.combined_file);
    std::getline(c, combined);
    if (combined.empty()) usage("no query in --combined file");
  }

  asio::io_context io(1);
  int rc = 0;
  asio::co_spawn(io, probe(o, queries, combined), [&](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      std::fprintf(stderr, "summary_probe: %s\n", ex.what());
      rc = 1;
    }
  });
  io.run();
  return rc;
}
