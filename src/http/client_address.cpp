#include "http/client_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>
#include <stdexcept>

namespace sentinel::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// The address part of "addr", "addr:port", "[v6]" or "[v6]:port".
std::string_view strip_port(std::string_view s) {
  if (s.starts_with('[')) {
    const auto close = s.find(']');
    if (close == std::string_view::npos) return {};
    const auto rest = s.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && all_digits(rest.substr(1)))) return {};
    return s.substr(1, close - 1);
  }
  // One colon: IPv4 with a port. More: a bare IPv6 address.
  if (const auto colon = s.find(':'); colon != std::string_view::npos && s.find(':', colon + 1) == std::string_view::npos)
    return all_digits(s.substr(colon + 1)) ? s.substr(0, colon) : std::string_view{};
  return s;
}

constexpr std::array<std::uint8_t, 12> v4_mapped_prefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  const auto address = strip_port(trim(text));
  if (address.empty() || address.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string terminated(address);
  IpAddress out;
  if (inet_pton(AF_INET, terminated.c_str(), out.bytes.data()) == 1) return out;
  if (inet_pton(AF_INET6, terminated.c_str(), out.bytes.data()) != 1) return std::nullopt;
  if (std::memcmp(out.bytes.data(), v4_mapped_prefix.data(), v4_mapped_prefix.size()) == 0) {
    std::memmove(out.bytes.data(), out.bytes.data() + 12, 4);
    std::memset(out.bytes.data() + 4, 0, 12);
    return out;
  }
  out.v6 = true;
  return out;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  text = trim(text);
  const auto slash = text.find('/');
  const auto address = text.substr(0, slash);
  if (address.find(']') != std::string_view::npos || (address.find(':') != std::string_view::npos &&
                                                       address.find(':') == address.rfind(':')))
    return std::nullopt;  // no ports here
  auto network = IpAddress::parse(address);
  if (!network) return std::nullopt;
  const int max_prefix = network->v6 ? 128 : 32;
  int prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc{} || end != digits.data() + digits.size() || prefix < 0 || prefix > max_prefix)
      return std::nullopt;
    // "::ffff:10.0.0.0/104" names IPv4 addresses: its prefix counts the 96 mapped bits.
    if (!network->v6 && address.find(':') != std::string_view::npos) {
      if (prefix < 96) return std::nullopt;
      prefix -= 96;
    }
  }
  return Cidr{*network, prefix};
}

bool Cidr::contains(const IpAddress& address) const {
  if (address.v6 != network.v6) return false;
  int bits = prefix;
  for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
    const auto mask = static_cast<std::uint8_t>(bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff);
    if ((address.bytes[i] & mask) != (network.bytes[i] & mask)) return false;
  }
  return true;
}

TrustedProxies::TrustedProxies(const std::vector<std::string>& cidrs) {
  for (const auto& text : cidrs) {
    auto cidr = Cidr::parse(text);
    if (!cidr) throw std::invalid_argument("not an address or CIDR: '" + text + "'");
    cidrs_.push_back(*cidr);
  }
}

bool TrustedProxies::contains(const IpAddress& address) const {
  for (const auto& cidr : cidrs_)
    if (cidr.contains(address)) return true;
  return false;
}

bool TrustedProxies::contains(std::string_view address) const {
  if (cidrs_.empty()) return false;
  const auto parsed = IpAddress::parse(address);
  return parsed && contains(*parsed);
}

std::string client_address(std::string_view peer, const std::vector<std::string_view>& forwarded_for,
                           const TrustedProxies& trusted) {
  const auto peer_address = IpAddress::parse(peer);
  if (!peer_address) return std::string(peer);
  if (!trusted.contains(*peer_address)) return peer_address->to_string();
  IpAddress current = *peer_address;  // the nearest hop we can vouch for
  for (auto header = forwarded_for.rbegin(); header != forwarded_for.rend(); ++header) {
    std::string_view list = *header;
    while (!list.empty()) {
      const auto comma = list.rfind(',');
      const auto entry = trim(comma == std::string_view::npos ? list : list.substr(comma + 1));
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(0, comma);
      if (entry.empty()) continue;  // "a, , b": tolerated
      const auto hop = IpAddress::parse(entry);
      if (!hop) return current.to_string();
      if (!trusted.contains(*hop)) return hop->to_string();
      current = *hop;
    }
  }
  return current.to_string();
}

std::string client_key(std::string_view address) {
  auto parsed = IpAddress::parse(address);
  if (!parsed) return std::string(address);
  if (!parsed->v6) return parsed->to_string();
  std::fill(parsed->bytes.begin() + 8, parsed->bytes.end(), std::uint8_t{0});
  return parsed->to_string() + "/64";
}

}  // namespace sentinel::http
