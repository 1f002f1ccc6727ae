#include <gtest/gtest.h>

#include "notify/delivery_result.hpp"
#include "notify/retry_after.hpp"

namespace sentinel::notify {
namespace {

using std::chrono::seconds;

const core::Timestamp now = core::from_unix(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT

TEST(RetryAfter, DelaySeconds) {
  EXPECT_EQ(parse_retry_after("120", now), seconds{120});
  EXPECT_EQ(parse_retry_after(" 7 ", now), seconds{7});
  EXPECT_EQ(parse_retry_after("0", now), seconds{1});  // at least 1 s
  EXPECT_EQ(parse_retry_after("1.2", now), seconds{2});
  EXPECT_EQ(parse_retry_after("99999999999999999999999", now), max_requested_wait);
}

TEST(RetryAfter, HttpDateInEachForm) {
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), seconds{30});
  EXPECT_EQ(parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", now), seconds{60});
  EXPECT_EQ(parse_retry_after("Wed Oct 21 07:30:00 2015", now), seconds{120});
  EXPECT_EQ(parse_retry_after("Wed Oct  1 07:30:00 2015", now), seconds{1});  // in the past
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), core::from_unix(784111777));
}

TEST(RetryAfter, GarbageIsNotAWait) {
  for (const char* bad : {"", "soon", "-5", "1e3", "Wed, 32 Oct 2015 07:28:30 GMT", "Wed, 21 Foo 2015 07:28:30 GMT",
                          "Wed, 21 Oct 2015 25:28:30 GMT", "Wed, 21 Oct 2015 07:28:30 CET", "1.x"})
    EXPECT_EQ(parse_retry_after(bad, now), std::nullopt) << bad;
}

TEST(RetryAfter, SecondsOnlyRefusesDates) {
  EXPECT_EQ(retry_after_seconds("30"), seconds{30});
  EXPECT_EQ(retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT"), std::nullopt);
}

}  // namespace
}  // namespace sentinel::notify
