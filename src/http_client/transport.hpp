#pragma once
// What Sentinel's outbound HTTP clients share: the request and its outcome,
// and the interface the Prometheus client sends through. Two transports
// implement it: HttpClient (libcurl: HTTPS, proxies, any origin; used for
// notifications and an https:// Prometheus) and KeepAliveClient (Beast:
// plain HTTP/1.1 to one origin, the cheap path for a plain http://
// Prometheus, which the alert engine queries thousands of times a round).
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sentinel::http_client {

struct Request {
  std::string method = "GET";  // GET or POST
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                   // sent for POST
  std::chrono::milliseconds timeout{10000};  // whole transfer, connect included
  std::optional<std::string> username;       // HTTP basic auth when set
  std::optional<std::string> password;
  std::optional<std::string> proxy;    // explicit proxy URL; otherwise none (environment is not read)
  std::optional<std::string> no_proxy; // hosts that bypass `proxy`
  std::size_t max_response_bytes = 64 * 1024 * 1024;  // larger bodies fail with `too_large`
};

struct Response {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased

  // Value of header `name` (lower case), or nullopt.
  std::optional<std::string> header(const std::string& name) const;
};

enum class FailureKind {
  connect,    // DNS, connection refused or reset, TLS handshake: the peer is unreachable
  timeout,    // Request::timeout elapsed
  too_large,  // response body over Request::max_response_bytes
  aborted,    // the client shut down before the transfer finished
  other,      // anything else (the message says what)
};

struct Failure {
  FailureKind kind = FailureKind::other;
  std::string message;  // what went wrong, never containing credentials
};

using Outcome = std::expected<Response, Failure>;

class Transport {
 public:
  virtual ~Transport() = default;

  // Performs one request. Never throws for network failures: they are
  // returned as Failure. HTTP error statuses (4xx, 5xx) are Responses. The
  // awaiting coroutine resumes on its own executor.
  virtual boost::asio::awaitable<Outcome> send(Request request) = 0;

  // Stops every transfer (each completes with `aborted`); later sends fail at once.
  virtual void shutdown() = 0;
};

}  // namespace sentinel::http_client
