#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace sentinel::http {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const auto j = path.find('/', i);
    const auto end = j == std::string_view::npos ? path.size() : j;
    out.emplace_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

bool is_param(const std::string& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

bool segments_match(const Route& r, const std::vector<std::string>& parts, Fields* params) {
  if (r.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (is_param(r.segments[i])) {
      if (params) params->emplace_back(r.segments[i].substr(1, r.segments[i].size() - 2), parts[i]);
    } else if (r.segments[i] != parts[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, int required_role) {
  Route r{std::move(method), std::move(pattern), std::move(handler), {}, required_role};
  r.segments = split_path(r.pattern);
  for (const auto& existing : routes_)
    if (existing.method == r.method && existing.segments == r.segments)
      throw std::invalid_argument("duplicate route " + r.method + " " + r.pattern);
  routes_.push_back(std::move(r));
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch m;
  // "//x" or "/a//b" are not canonical paths; treat as unknown.
  if (path.find("//") != std::string_view::npos) return m;
  const auto parts = split_path(path);
  // HEAD is served by the GET handler (the session drops the body).
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  for (const auto& r : routes_) {
    Fields params;
    if (!segments_match(r, parts, &params)) continue;
    if (r.method == wanted) {
      m.kind = RouteMatch::Kind::found;
      m.route = &r;
      m.params = std::move(params);
      return m;
    }
    if (std::find(m.allowed.begin(), m.allowed.end(), r.method) == m.allowed.end()) m.allowed.push_back(r.method);
  }
  if (!m.allowed.empty()) m.kind = RouteMatch::Kind::method_not_allowed;
  return m;
}

}  // namespace sentinel::http
