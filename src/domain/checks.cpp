// The format checks shared by request parsing, the CLI and configuration.
#include <algorithm>
#include <charconv>
#include <string_view>

#include "domain/json.hpp"

namespace sentinel::domain {

namespace {

bool is_space_or_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7F;
}

// Characters that never belong in a Prometheus instance label's host part:
// they would break label matchers or show a URL was pasted ("http://…").
bool is_bad_host_char(char c) {
  return is_space_or_control(c) || c == '"' || c == '\\' || c == '{' || c == '}' || c == '/' || c == '[' || c == ']';
}

bool is_valid_port(std::string_view port) {
  if (port.empty() || port.size() > 5 || port.front() == '0') return false;
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  unsigned value = 0;
  std::from_chars(port.data(), port.data() + port.size(), value);
  return value >= 1 && value <= 65535;
}

}  // namespace

bool is_valid_email(std::string_view email) {
  if (email.empty() || email.size() > 254) return false;
  if (std::any_of(email.begin(), email.end(), is_space_or_control)) return false;
  const auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) return false;
  const auto local = email.substr(0, at);
  const auto domain = email.substr(at + 1);
  if (local.empty() || local.size() > 64) return false;
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos)
    return false;
  return true;
}

bool is_valid_host_port(std::string_view s) {
  std::string_view host;
  std::string_view port;
  if (!s.empty() && s.front() == '[') {
    // IPv6 literal: "[::1]:9100".
    const auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') return false;
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
    if (host.empty() || host.find(':') == std::string_view::npos) return false;
    if (!std::all_of(host.begin(), host.end(), [](char c) {
          // Hex groups, an embedded IPv4 tail and a "%zone" suffix.
          return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ':' || c == '.' ||
                 c == '%';
        }))
      return false;
  } else {
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return false;
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    // An unbracketed host with a colon is ambiguous (bare IPv6 or a typo).
    if (host.empty() || host.find(':') != std::string_view::npos) return false;
    if (std::any_of(host.begin(), host.end(), is_bad_host_char)) return false;
  }
  return is_valid_port(port);
}

}  // namespace sentinel::domain
