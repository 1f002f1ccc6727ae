#include <gtest/gtest.h>

#include <string>

#include "domain/json.hpp"

namespace sentinel::domain {
namespace {

TEST(IsValidEmail, AcceptsOrdinaryAddresses) {
  EXPECT_TRUE(is_valid_email("admin@example.com"));
  EXPECT_TRUE(is_valid_email("First.Last+tag@mail.example.co.uk"));
  EXPECT_TRUE(is_valid_email("a@b.io"));
}

TEST(IsValidEmail, RejectsMalformedAddresses) {
  for (const auto* bad : {"", "plainaddress", "@example.com", "user@", "user@localhost", "user@@example.com",
                          "a@b@example.com", "user name@example.com", "user@exa mple.com", "user@.example.com",
                          "user@example.com.", "user@example..com", "user@example.com\n", "\tuser@example.com"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(is_valid_email(bad));
  }
}

TEST(IsValidEmail, EnforcesLengthLimits) {
  const std::string domain =
      "@" + std::string(63, 'd') + "." + std::string(63, 'e') + "." + std::string(58, 'f') + ".io";
  const std::string local(64, 'l');
  ASSERT_EQ((local + domain).size(), 254U);
  EXPECT_TRUE(is_valid_email(local + domain));
  EXPECT_FALSE(is_valid_email(local + "x" + domain));                   // 255 chars in all
  EXPECT_FALSE(is_valid_email(std::string(65, 'l') + "@example.com"));  // local part over 64
}

TEST(IsValidHostPort, AcceptsHostsAndAddressesWithAPort) {
  for (const auto* good : {"prod:9100", "localhost:1", "10.0.0.1:65535", "node-exporter.monitoring.svc:9100",
                           "[::1]:9100", "[2001:db8::1]:8080", "[fe80::1%eth0]:9100", "under_score:80"}) {
    SCOPED_TRACE(good);
    EXPECT_TRUE(is_valid_host_port(good));
  }
}

TEST(IsValidHostPort, RejectsMissingOrBadPorts) {
  for (const auto* bad : {"prod", "prod:", "prod:0", "prod:65536", "prod:99999", "prod:123456", "prod:-1", "prod:+80",
                          "prod:80a", "prod:09100", ":9100", "prod: 9100"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(is_valid_host_port(bad));
  }
}

TEST(IsValidHostPort, RejectsHostsThatCannotBeAnInstanceLabel) {
  for (const auto* bad :
       {"my host:9100", "host\t:9100", "ho\"st:9100", "ho\\st:9100", "{host}:9100", "http://host:9100", "::1:9100",
        "[]:9100", "[::1]9100", "[::1]:", "[::1:9100", "[not an ip]:9100", "a]b:9100"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(is_valid_host_port(bad));
  }
}

}  // namespace
}  // namespace sentinel::domain
