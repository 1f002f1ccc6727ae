#pragma once
// Sentinel's own request/response types: plain structs, so handlers, the
// router and their tests never include Beast (heavy to compile). The
// session converts to and from Beast messages at the edge.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sentinel::http {

using Fields = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive ASCII comparison for header names.
bool iequals(std::string_view a, std::string_view b);

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target, "/api/v1/servers/?skip=0"
  std::string path;    // percent-decoded path without the query
  Fields query;        // decoded query parameters, in order
  Fields headers;
  std::string body;
  std::string remote_address;  // the client: socket peer, or via TRUSTED_PROXIES (http/client_address.hpp)
  std::string client_key;      // what per-client limits count: remote_address, its /64 for IPv6
  std::string request_id;
  Fields path_params;  // filled by the router: {"server_id", "7"}
  // The matched route's required role (0 = public; see api/routes.cpp), set
  // by the dispatcher; the authentication step sets access_checked, and a
  // protected route whose handler never reached it answers 500.
  int required_role = 0;
  bool access_checked = false;

  std::optional<std::string_view> header(std::string_view name) const;
  std::optional<std::string_view> query_param(std::string_view name) const;
  std::optional<std::string_view> path_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Fields headers;  // extra headers (content type and length are set by the session)
  std::string body;

  void set_header(std::string name, std::string value);
};

// Splits "path?query" and percent-decodes both; nullopt on a malformed
// escape or a path that does not start with '/'.
std::optional<std::pair<std::string, Fields>> split_target(std::string_view target);

// Parses an application/x-www-form-urlencoded body ('+' = space).
std::optional<Fields> parse_form(std::string_view body);

}  // namespace sentinel::http
