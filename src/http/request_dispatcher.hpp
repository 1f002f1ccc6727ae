#pragma once
// Everything between "a parsed request" and "a response to write": request
// id, CORS, routing (404/405), the exception boundary and the access log.
// Transport-free, so it is unit-tested without sockets.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "http/message.hpp"
#include "http/router.hpp"

namespace sentinel::http {

struct DispatchOptions {
  std::vector<std::string> cors_origins;  // empty = no CORS; "*" = any origin
};

// GET HEAD POST PUT PATCH DELETE OPTIONS: any other method is answered 501,
// and counted in metrics as "other" (a client cannot add label values).
bool is_known_method(std::string_view method);

// Called once per request after the response is built (metrics, tests).
using RequestObserver =
    std::function<void(const Request&, std::string_view route, const Response&, std::chrono::microseconds)>;

class RequestDispatcher {
 public:
  RequestDispatcher(const Router& router, DispatchOptions options, RequestObserver observer = {});

  // Never throws: handler exceptions become 503 (dependency unavailable) or
  // a generic 500 whose cause is logged, not sent.
  boost::asio::awaitable<Response> dispatch(Request& request) const;

 private:
  bool origin_allowed(std::string_view origin) const;
  void add_cors_headers(const Request& request, Response& response) const;

  const Router& router_;
  DispatchOptions options_;
  RequestObserver observer_;
};

}  // namespace sentinel::http
