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

bool is_rest_param(const std::string& seg) { return is_param(seg) && seg.ends_with("...}"); }

bool segments_match(const Route& r, const std::vector<std::string>& parts, Fields* params) {
  if (r.catch_all) {
    const auto fixed = r.segments.size() - 1;
    if (parts.size() < fixed) return false;
    for (std::size_t i = 0; i < fixed; ++i)
      if (!is_param(r.segments[i]) && r.segments[i] != parts[i]) return false;
    if (params) {
      for (std::size_t i = 0; i < fixed; ++i)
        if (is_param(r.segments[i])) params->emplace_back(r.segments[i].substr(1, r.segments[i].size() - 2), parts[i]);
      std::string rest;
      for (std::size_t i = fixed; i < parts.size(); ++i) rest += (i > fixed ? "/" : "") + parts[i];
      const auto& last = r.segments.back();
      params->emplace_back(last.substr(1, last.size() - 5), std::move(rest));
    }
    return true;
  }
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
  for (std::size_t i = 0; i < r.segments.size(); ++i)
    if (is_rest_param(r.segments[i]) && i + 1 != r.segments.size())
      throw std::invalid_argument("{name...} must be the last segment: " + r.pattern);
  r.catch_all = !r.segments.empty() && is_rest_param(r.segments.back());
  if (!r.catch_all && !r.segments.empty() && !is_param(r.segments.front()) &&
      std::find(reserved_.begin(), reserved_.end(), r.segments.front()) == reserved_.end())
    reserved_.push_back(r.segments.front());
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
    if (r.catch_all || !segments_match(r, parts, &params)) continue;
    if (r.method == wanted) {
      m.kind = RouteMatch::Kind::found;
      m.route = &r;
      m.params = std::move(params);
      return m;
    }
    if (std::find(m.allowed.begin(), m.allowed.end(), r.method) == m.allowed.end()) m.allowed.push_back(r.method);
  }
  if (!m.allowed.empty()) {
    m.kind = RouteMatch::Kind::method_not_allowed;
    return m;
  }
  // Nothing else has this path: a catch-all may, unless another route owns
  // its first segment.
  if (!parts.empty() && std::find(reserved_.begin(), reserved_.end(), parts.front()) != reserved_.end()) return m;
  for (const auto& r : routes_) {
    Fields params;
    // A catch-all answers only its own method: any other method on a path
    // nothing else has is simply not found (not 405).
    if (!r.catch_all || r.method != wanted || !segments_match(r, parts, &params)) continue;
    m.kind = RouteMatch::Kind::found;
    m.route = &r;
    m.params = std::move(params);
    return m;
  }
  return m;
}

}  // namespace sentinel::http
