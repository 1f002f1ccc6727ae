#pragma once
// Plain HTTP/1.1 to one origin (a Prometheus at http://host:port), on
// Boost.Beast: a pool of kept-alive connections, each request written and
// read by the awaiting coroutine itself on its own executor. The alert
// engine sends thousands of small queries a round; through libcurl each one
// cost a strand hand-off, an easy handle, socket registration and
// de-registration and curl's own bookkeeping (bench/alerts: a third of
// Sentinel's CPU). HTTPS and proxies stay with HttpClient.
//
// A request on a kept-alive connection that the server closed meanwhile
// (idle timeout, restart) is sent again once on a new connection, as curl
// does: use it for idempotent requests only (Prometheus queries are).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http_client/transport.hpp"

namespace sentinel::http_client {


struct PlainHttpOrigin {
  std::string host;       // name or address; IPv6 without brackets
  std::string port;       // "80" when the URL has none
  std::string authority;  // as written in the URL: the Host header
};

// The origin of a plain "http://" URL without credentials in it, or nullopt
// (https://, user:password@, anything unparsable): those need HttpClient.
std::optional<PlainHttpOrigin> plain_http_origin(std::string_view url);

class KeepAliveClient final : public Transport {
 public:
  // Sends to `origin` only; `max_idle` connections are kept open between
  // requests (more are closed after use).
  KeepAliveClient(boost::asio::any_io_executor executor, PlainHttpOrigin origin, std::size_t max_idle = 64);
  ~KeepAliveClient() override;
  KeepAliveClient(const KeepAliveClient&) = delete;
  KeepAliveClient& operator=(const KeepAliveClient&) = delete;

  // `request.url` must be on this client's origin (else FailureKind::other);
  // `proxy` must be unset. Responses are not decompressed: do not ask for
  // gzip.
  boost::asio::awaitable<Outcome> send(Request request) override;
  void shutdown() override;

  // Connections opened so far (for tests and self-monitoring).
  std::size_t connections_opened() const;

  struct Pool;

 private:
  std::shared_ptr<Pool> pool_;
};

}  // namespace sentinel::http_client
