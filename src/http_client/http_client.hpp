#pragma once
// Outbound HTTP for Prometheus (and later Telegram and webhooks): libcurl's
// multi interface driven by the Asio event loop. No thread per request and
// no blocking of an I/O thread; connections are kept alive and reused
// across requests (curl's connection cache), TLS is verified.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <expected>
#include <memory>
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
  other,      // anything else curl reports (the message says what)
};

struct Failure {
  FailureKind kind = FailureKind::other;
  std::string message;  // curl's explanation, never containing credentials
};

using Outcome = std::expected<Response, Failure>;

class HttpClient {
 public:
  // All curl work runs on a strand of `executor`; awaiting coroutines are
  // resumed on their own executor.
  explicit HttpClient(boost::asio::any_io_executor executor);
  ~HttpClient();  // pending transfers complete with FailureKind::aborted
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs one request. Never throws for network failures: they are
  // returned as Failure. HTTP error statuses (4xx, 5xx) are Responses.
  boost::asio::awaitable<Outcome> send(Request request);

  // Stops every transfer (each completes with `aborted`); later sends fail at once.
  void shutdown();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace sentinel::http_client
