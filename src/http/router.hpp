#pragma once
// The route table: every endpoint is one row; 404 and 405 are decided here
// and nowhere else. Patterns are literal segments and {name} parameters;
// a trailing slash is optional on every route ("/api/v1/servers" and
// "/api/v1/servers/" are the same route, as FastAPI clients use both).
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
};

}  // namespace sentinel::http
