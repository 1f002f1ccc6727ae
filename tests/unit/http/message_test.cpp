#include "http/message.hpp"

#include <gtest/gtest.h>

using namespace sentinel::http;

TEST(Message, SplitTargetDecodesPathAndQuery) {
  auto s = split_target("/api/v1/servers/?is_active=true&name=a%20b");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->first, "/api/v1/servers/");
  ASSERT_EQ(s->second.size(), 2u);
  EXPECT_EQ(s->second[1].second, "a b");
}

TEST(Message, SplitTargetRejectsMalformedTargets) {
  EXPECT_FALSE(split_target("no-slash"));
  EXPECT_FALSE(split_target("/bad%zz"));
}

TEST(Message, ParseFormDecodesPlusAndPercent) {
  auto f = parse_form("username=a%40b.c&password=p+w%26");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->size(), 2u);
  EXPECT_EQ((*f)[0].second, "a@b.c");
  EXPECT_EQ((*f)[1].second, "p w&");
}

TEST(Message, HeaderLookupIsCaseInsensitive) {
  Request r;
  r.headers = {{"Content-Type", "application/json"}};
  EXPECT_EQ(r.header("content-type").value_or(""), "application/json");
  EXPECT_FALSE(r.header("Authorization"));
}
