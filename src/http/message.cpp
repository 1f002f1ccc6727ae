#include "http/message.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/url_view.hpp>

namespace sentinel::http {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

namespace {

std::optional<std::string_view> find(const Fields& fields, std::string_view name, bool case_insensitive) {
  for (const auto& [k, v] : fields)
    if (case_insensitive ? iequals(k, name) : k == name) return std::string_view(v);
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> Request::header(std::string_view name) const { return find(headers, name, true); }
std::optional<std::string_view> Request::query_param(std::string_view name) const {
  return find(query, name, false);
}
std::optional<std::string_view> Request::path_param(std::string_view name) const {
  return find(path_params, name, false);
}

void Response::set_header(std::string name, std::string value) {
  for (auto& [k, v] : headers)
    if (iequals(k, name)) {
      v = std::move(value);
      return;
    }
  headers.emplace_back(std::move(name), std::move(value));
}

std::optional<std::pair<std::string, Fields>> split_target(std::string_view target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return std::nullopt;
  const boost::urls::url_view& u = *parsed;
  std::pair<std::string, Fields> out;
  out.first = u.path();  // decoded
  if (out.first.empty() || out.first.front() != '/') return std::nullopt;
  for (auto p : u.params()) out.second.emplace_back(p.key, p.has_value ? p.value : std::string());
  return out;
}

std::optional<Fields> parse_form(std::string_view body) {
  if (body.empty()) return Fields{};
  // Not boost::urls::parse_query / params_view(string_view): in Boost.URL 1.81
  // both measure the text again with strlen (query_ref is built from
  // s.data()), reading past a view that is not NUL-terminated and taking in
  // whatever follows it (found by fuzz/query_strings). The body is parsed as
  // the query of an origin-form target instead, whose length is its own.
  std::string target;
  target.reserve(body.size() + 2);
  target.append("/?").append(body);
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return std::nullopt;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;  // HTML forms encode spaces as '+'
  Fields out;
  for (auto p : parsed->params(opts)) out.emplace_back(p.key, p.has_value ? p.value : std::string());
  return out;
}

}  // namespace sentinel::http
