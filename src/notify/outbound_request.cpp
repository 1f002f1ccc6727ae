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

// Query values shorter than this are not treated as credentials.
constexpr std::size_t min_secret_value = 8;

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
  std::string_view rest = parts->second;
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  if (!rest.empty() && rest != "/") out.emplace_back(rest);
  // A target may echo the path or the query alone ("Cannot POST /hook/<secret>"),
  // or one query value: each is hidden on its own too. Short values
  // ("thread_id=42") are no credential, and hiding them would cut digits out
  // of every answer.
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    const std::string_view path = rest.substr(0, q), query = rest.substr(q + 1);
    if (!path.empty() && path != "/") out.emplace_back(path);
    if (!query.empty()) out.emplace_back(query);
    for (std::size_t at = 0; at <= query.size();) {
      const auto end = std::min(query.find('&', at), query.size());
      const std::string_view pair = query.substr(at, end - at);
      if (const auto eq = pair.find('='); eq != std::string_view::npos && pair.size() - eq - 1 >= min_secret_value)
        out.emplace_back(pair.substr(eq + 1));
      at = end + 1;
    }
  }
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
