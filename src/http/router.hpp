#pragma once
// The route table: every endpoint is one row; 404 and 405 are decided here
// and nowhere else. Patterns are literal segments and {name} parameters;
// a trailing slash is optional on every route ("/api/v1/servers" and
// "/api/v1/servers/" are the same route, as FastAPI clients use both).
// A last segment {name...} takes the rest of the path (zero or more
// segments): such a catch-all route is matched only when no other route
// has the path, and never under a first segment that another route's
// pattern starts with (the web console answers "/" and "/servers/3", while
// "/api/unknown" stays a JSON 404).
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace sentinel::http {

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

struct Route {
  std::string method;
  std::string pattern;  // also the "route" label in logs and metrics
  Handler handler;
  std::vector<std::string> segments;  // pattern split on '/'
  int required_role = 0;              // 0 = public; the API's roles are 1 viewer, 2 editor, 3 admin
  bool catch_all = false;             // the last segment is {name...}
};

struct RouteMatch {
  enum class Kind { found, not_found, method_not_allowed } kind = Kind::not_found;
  const Route* route = nullptr;
  Fields params;
  std::vector<std::string> allowed;  // for 405: methods the path accepts
};

class Router {
 public:
  // Throws std::invalid_argument for a duplicate method+pattern.
  void add(std::string method, std::string pattern, Handler handler, int required_role = 0);
  RouteMatch match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::string> reserved_;  // first segments of the routes that are not catch-alls
};

}  // namespace sentinel::http
