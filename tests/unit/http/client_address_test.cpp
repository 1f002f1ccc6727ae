// Client address behind trusted proxies, and the per-client limit key.
#include "http/client_address.hpp"

#include <gtest/gtest.h>

using namespace sentinel::http;

namespace {

std::string client(std::string_view peer, std::vector<std::string_view> xff, const std::vector<std::string>& trusted) {
  return client_address(peer, xff, TrustedProxies(trusted));
}

}  // namespace

TEST(IpAddress, ParsesBothFamiliesWithOrWithoutPort) {
  EXPECT_EQ(IpAddress::parse("192.0.2.1")->to_string(), "192.0.2.1");
  EXPECT_EQ(IpAddress::parse(" 192.0.2.1:8080 ")->to_string(), "192.0.2.1");
  EXPECT_EQ(IpAddress::parse("2001:DB8:0::1")->to_string(), "2001:db8::1");
  EXPECT_EQ(IpAddress::parse("[2001:db8::1]:443")->to_string(), "2001:db8::1");
  EXPECT_EQ(IpAddress::parse("::ffff:192.0.2.1"), IpAddress::parse("192.0.2.1")) << "mapped IPv4 is IPv4";
  for (const char* bad : {"", "unknown", "example.com", "1.2.3", "1.2.3.4:x", "[::1", "[::1]x", "1.2.3.4/8", "999.1.1.1"})
    EXPECT_FALSE(IpAddress::parse(bad)) << bad;
}

TEST(Cidr, MatchesByPrefix) {
  const auto ten = Cidr::parse("10.0.0.0/8");
  ASSERT_TRUE(ten);
  EXPECT_TRUE(ten->contains(*IpAddress::parse("10.255.1.2")));
  EXPECT_FALSE(ten->contains(*IpAddress::parse("11.0.0.1")));
  EXPECT_FALSE(ten->contains(*IpAddress::parse("::ffff:11.0.0.1")));
  EXPECT_FALSE(ten->contains(*IpAddress::parse("a00::1"))) << "IPv6 never matches an IPv4 network";
  const auto odd = Cidr::parse("192.168.4.0/22");
  EXPECT_TRUE(odd->contains(*IpAddress::parse("192.168.7.255")));
  EXPECT_FALSE(odd->contains(*IpAddress::parse("192.168.8.0")));
  const auto one = Cidr::parse("203.0.113.9");
  EXPECT_TRUE(one->contains(*IpAddress::parse("203.0.113.9")));
  EXPECT_FALSE(one->contains(*IpAddress::parse("203.0.113.8")));
  const auto v6 = Cidr::parse("fd00::/8");
  EXPECT_TRUE(v6->contains(*IpAddress::parse("fdff::1")));
  EXPECT_FALSE(v6->contains(*IpAddress::parse("fe00::1")));
  EXPECT_TRUE(Cidr::parse("0.0.0.0/0")->contains(*IpAddress::parse("8.8.8.8")));
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/8x", "::/129", "10.0.0.1:80", "x/8"})
    EXPECT_FALSE(Cidr::parse(bad)) << bad;
}

TEST(ClientAddress, UntrustedPeerIsTheClientWhateverItForwards) {
  EXPECT_EQ(client("198.51.100.7", {"1.2.3.4"}, {}), "198.51.100.7");
  EXPECT_EQ(client("198.51.100.7", {"1.2.3.4"}, {"10.0.0.0/8"}), "198.51.100.7");
  EXPECT_EQ(client("::ffff:198.51.100.7", {}, {}), "198.51.100.7");
}

TEST(ClientAddress, TrustedPeerGivesTheRightMostUntrustedHop) {
  const std::vector<std::string> trusted = {"10.0.0.0/8", "fd00::/8"};
  EXPECT_EQ(client("10.0.0.1", {"203.0.113.5"}, trusted), "203.0.113.5");
  // A client may write anything to the left; only what our proxies appended counts.
  EXPECT_EQ(client("10.0.0.1", {"6.6.6.6, 203.0.113.5, 10.1.1.1"}, trusted), "203.0.113.5");
  EXPECT_EQ(client("10.0.0.1", {"6.6.6.6, 203.0.113.5", "10.1.1.1"}, trusted), "203.0.113.5") << "several lines";
  EXPECT_EQ(client("fd00::1", {"[2001:db8::5]:1234,fd00::2"}, trusted), "2001:db8::5");
  EXPECT_EQ(client("10.0.0.1", {}, trusted), "10.0.0.1") << "no header: the proxy itself";
  EXPECT_EQ(client("10.0.0.1", {"10.2.2.2, 10.3.3.3"}, trusted), "10.2.2.2") << "all trusted: the farthest";
}

TEST(ClientAddress, GarbageStopsAtTheLastHopWeCanVouchFor) {
  const std::vector<std::string> trusted = {"10.0.0.0/8"};
  EXPECT_EQ(client("10.0.0.1", {"203.0.113.5, unknown"}, trusted), "10.0.0.1");
  EXPECT_EQ(client("10.0.0.1", {"203.0.113.5, nonsense, 10.9.9.9"}, trusted), "10.9.9.9");
  EXPECT_EQ(client("10.0.0.1", {"1.1.1.1, , 203.0.113.5"}, trusted), "203.0.113.5") << "empty entries skipped";
}

TEST(ClientKey, IPv4IsItselfIPv6IsItsSlash64) {
  EXPECT_EQ(client_key("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(client_key("2001:db8:1:2::99"), client_key("2001:db8:1:2:ffff::1"));
  EXPECT_NE(client_key("2001:db8:1:2::1"), client_key("2001:db8:1:3::1"));
  EXPECT_EQ(client_key("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(client_key("unknown"), "unknown");
}
