#pragma once
// A request asking to become a WebSocket, handed over by the HTTP server
// with its connection. Includes Beast: only for http/server.cpp and ws/.
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/message.hpp"

namespace sentinel::http {

struct WebSocketUpgrade {
  boost::beast::tcp_stream stream;
  boost::beast::http::request<boost::beast::http::string_body> request;
  Request parsed;  // path, query, headers, remote address (as for any request)
};

}  // namespace sentinel::http
