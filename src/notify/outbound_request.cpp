#include "notify/outbound_request.hpp"

#include <algorithm>

#include "notify/telegram_request.hpp"

namespace sentinel::notify {

namespace {

// "https://user:pw@host:443/path?q" → {"user:pw@host:443", "/path?q"}; nullopt without "scheme://".
std::optional<std::pair<std::string_view, std::string_view>> authority_and_rest(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return std::nullopt;
  const std::string_view after = url.substr(scheme_end + 3);
  const auto end = after.find_first_of("/?#");
  if (end == std::string_view::npos) return std::pair{after, std::string_view{}};
  return std::pair{after.substr(0, end), after.substr(end)};
}

}  // namespace

OutboundRequest json_request(std::string target, std::string url, std::string body) {
  OutboundRequest r;
  r.target = std::move(target);
  r.url = std::move(url);
  r.headers = {"Content-Type: application/json"};
  r.body = std::move(body);
  return r;
}

std::string redact_secrets(std::string text, std::vector<std::string> secrets) {
  std::sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const auto& s : secrets) text = redact_token(std::move(text), s);
  return text;
}

std::vector<std::string> url_secrets(std::string_view url) {
  std::vector<std::string> out{std::string(url)};
  const auto parts = authority_and_rest(url);
  if (!parts) return out;
  if (const std::string_view rest = parts->second; !rest.empty() && rest != "/") out.emplace_back(rest);
  if (auto userinfo = url_userinfo(url)) out.push_back(std::move(*userinfo));
  return out;
}

std::optional<std::string> url_userinfo(std::string_view url) {
  const auto parts = authority_and_rest(url);
  if (!parts) return std::nullopt;
  const auto at = parts->first.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  return std::string(parts->first.substr(0, at));
}

std::string url_host(std::string_view url) {
  const auto parts = authority_and_rest(url);
  if (!parts) return {};
  std::string_view authority = parts->first;
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  return std::string(authority);
}

bool is_http_url(std::string_view url) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) return false;
  const auto host = url_host(url);
  return !host.empty() && url.find_first_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace sentinel::notify
