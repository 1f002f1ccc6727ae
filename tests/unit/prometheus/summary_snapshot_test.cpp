// A summary through the shared (Redis) cache's text form and back.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "prometheus/query_catalogue.hpp"
#include "prometheus/summary_snapshot.hpp"

namespace sentinel::prometheus {
namespace {

Summary example() {
  Summary s;
  s.server_id = 7;
  s.instance = "10.0.0.5:9100";
  s.job_name = "node";
  s.evaluated_at = 1700000000.123;
  s.up = true;
  for (std::size_t i = 0; i < summary_metrics().size(); ++i)
    s.values.push_back(i % 3 == 1 ? std::nullopt : std::optional<double>(0.1 * static_cast<double>(i) + 1e-9));
  return s;
}

TEST(SummarySnapshot, RoundTripsExactly) {
  const auto s = example();
  const auto back = decode_snapshot(encode_snapshot(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->evaluated_at, s.evaluated_at);
  EXPECT_EQ(back->up, s.up);
  EXPECT_EQ(back->values, s.values);  // doubles survive the text form bit for bit
  // The caller's fields are not part of it: the same target may be two servers.
  EXPECT_EQ(back->server_id, 0);
  EXPECT_TRUE(back->instance.empty());
  EXPECT_EQ(encode_snapshot(s).find("10.0.0.5"), std::string::npos);
}

TEST(SummarySnapshot, NonFiniteValuesAreStoredAsNull) {
  auto s = example();
  s.values[0] = std::numeric_limits<double>::quiet_NaN();
  s.values[2] = std::numeric_limits<double>::infinity();
  const auto back = decode_snapshot(encode_snapshot(s));
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->values[0]);
  EXPECT_FALSE(back->values[2]);
}

TEST(SummarySnapshot, AnythingElseIsAMiss) {
  EXPECT_FALSE(decode_snapshot(""));
  EXPECT_FALSE(decode_snapshot("not json"));
  EXPECT_FALSE(decode_snapshot("[]"));
  EXPECT_FALSE(decode_snapshot(R"({"evaluated_at":1,"up":true})"));
  // A catalogue with a metric this one lacks (another version of Sentinel): a miss, not shifted values.
  EXPECT_FALSE(decode_snapshot(R"({"evaluated_at":1,"up":true,"metrics":{"load1":1}})"));
  auto text = encode_snapshot(example());
  const auto at = text.find("\"load1\":");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 8, "\"load1\":\"x\",\"_\":");  // a string where a number belongs
  EXPECT_FALSE(decode_snapshot(text));
}

}  // namespace
}  // namespace sentinel::prometheus
