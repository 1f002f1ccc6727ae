#pragma once
// Who is the client of a request (product.md §7): the socket peer, or, when
// the peer is a trusted proxy (TRUSTED_PROXIES), the right-most address of
// X-Forwarded-For that is not a trusted proxy. And the key that per-client
// limits count by: the address itself for IPv4, its /64 for IPv6 (one
// subscriber usually owns a whole /64, so counting single IPv6 addresses
// would give an attacker 2^64 fresh identities).
//
// Pure functions, no Asio: unit-tested in tests/unit/http/client_address_test.cpp.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::http {

// An IPv4 or IPv6 address; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is
// stored as the IPv4 address it carries, so both spellings compare equal.
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4

  // "192.0.2.1", "2001:db8::1", "[2001:db8::1]", and either with a port
  // ("192.0.2.1:8080", "[2001:db8::1]:8080"), surrounding blanks allowed;
  // nullopt for anything else (names, "unknown", garbage).
  static std::optional<IpAddress> parse(std::string_view text);

  std::string to_string() const;  // canonical text ("2001:db8::1")
  bool operator==(const IpAddress&) const = default;
};

// One TRUSTED_PROXIES entry: "10.0.0.0/8", "fd00::/8", or an address alone
// (a /32 or /128).
struct Cidr {
  IpAddress network;
  int prefix = 0;

  // nullopt on a malformed address or prefix length.
  static std::optional<Cidr> parse(std::string_view text);
  bool contains(const IpAddress& address) const;
};

class TrustedProxies {
 public:
  TrustedProxies() = default;  // trusts nobody
  // Throws std::invalid_argument naming the first malformed entry (Config
  // has validated them already, so this means a programming error).
  explicit TrustedProxies(const std::vector<std::string>& cidrs);

  bool empty() const { return cidrs_.empty(); }
  bool contains(const IpAddress& address) const;
  bool contains(std::string_view address) const;  // false when not an address

 private:
  std::vector<Cidr> cidrs_;
};

// The client address of a request that came from `peer` with these
// X-Forwarded-For header values (in the order received; each may hold a
// comma-separated list). Canonical text. When the peer is not trusted the
// header is ignored (anyone can send one). Walking from the right, every
// trusted hop is skipped; the first untrusted address is the client. If
// every listed address is a trusted proxy, the left-most one is; if an entry
// is not an address, the walk stops at the last good hop (an address that
// a trusted proxy vouched for), never at what a client could have written.
std::string client_address(std::string_view peer, const std::vector<std::string_view>& forwarded_for,
                           const TrustedProxies& trusted);

// The key per-client limits count by: the canonical address for IPv4, the
// /64 network ("2001:db8:1:2::/64") for IPv6; the text unchanged when it is
// not an address.
std::string client_key(std::string_view address);

}  // namespace sentinel::http
