#include "observability/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace sentinel::observability {
namespace {

using namespace std::chrono_literals;

const std::chrono::system_clock::time_point noon{std::chrono::sys_days{std::chrono::year{2024} / 3 / 5} + 12h +
                                                 34min + 56s + 789ms};

boost::json::object parse_line(const std::string& line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line: " << line;
  boost::system::error_code ec;
  auto v = boost::json::parse(line, ec);
  EXPECT_FALSE(ec) << ec.message() << ": " << line;
  return ec || !v.is_object() ? boost::json::object{} : v.as_object();
}

TEST(JsonLogLine, HasTimeLevelMessageAndTypedFields) {
  const std::vector<LogField> fields{{"request_id", "abc123"}, {"status", 404}, {"duration_ms", 1.25},
                                     {"bytes", std::size_t{17}}};
  const std::string line = json_log_line(noon, "info", "GET /x 404", fields);
  EXPECT_EQ(line,
            "{\"ts\":\"2024-03-05T12:34:56.789Z\",\"level\":\"info\",\"msg\":\"GET /x 404\","
            "\"request_id\":\"abc123\",\"status\":404,\"duration_ms\":1.25,\"bytes\":17}\n");
  const auto o = parse_line(line);
  EXPECT_EQ(o.at("status").as_int64(), 404);
  EXPECT_EQ(o.at("duration_ms").as_double(), 1.25);
}

TEST(JsonLogLine, HostileTextStaysOneValidObject) {
  const std::string hostile = "say \"hi\"\\ then\nnew line\r\t\x01\x1f end";
  const std::string bad_utf8 = "caf\xC3 \xFF\xFE overlong \xC0\xAF surrogate \xED\xA0\x80 ok \xE2\x9C\x93";
  const std::vector<LogField> fields{{"path", hostile}, {"error", bad_utf8}, {"nan", std::nan("")},
                                     {"inf", std::numeric_limits<double>::infinity()}};
  const auto o = parse_line(json_log_line(noon, "error", hostile + bad_utf8, fields));
  EXPECT_EQ(o.at("msg").as_string(), hostile + "caf\uFFFD \uFFFD\uFFFD overlong \uFFFD\uFFFD surrogate "
                                                "\uFFFD\uFFFD\uFFFD ok \u2713");
  EXPECT_EQ(o.at("path").as_string(), hostile);
  EXPECT_TRUE(o.at("nan").is_null());
  EXPECT_TRUE(o.at("inf").is_null());
}

TEST(JsonLogLine, NegativeIntegersAndNoFields) {
  const auto o = parse_line(json_log_line(noon, "warning", "", std::vector<LogField>{{"n", -5}}));
  EXPECT_EQ(o.at("n").as_int64(), -5);
  EXPECT_EQ(o.at("msg").as_string(), "");
  EXPECT_EQ(json_log_line(noon, "info", "m", {}),
            "{\"ts\":\"2024-03-05T12:34:56.789Z\",\"level\":\"info\",\"msg\":\"m\"}\n");
}

// strftime leaves its buffer undefined when a year does not fit it: a clock
// far in the future (or the past) still gives a well-formed line.
TEST(JsonLogLine, TimesOutsideFourDigitYears) {
  using std::chrono::system_clock;
  // system_clock counts nanoseconds in int64: its ends are in 2262 and 1677.
  EXPECT_TRUE(json_log_line(system_clock::time_point::max(), "info", "m", {})
                  .starts_with("{\"ts\":\"2262-04-11T23:47:16.854Z\""));
  EXPECT_TRUE(json_log_line(system_clock::time_point::min(), "info", "m", {})
                  .starts_with("{\"ts\":\"1677-09-21T00:12:43.145Z\""));
  const system_clock::time_point before_1970{std::chrono::sys_days{std::chrono::year{1969} / 12 / 31} + 23h + 59min +
                                             59s + 250ms};
  EXPECT_TRUE(json_log_line(before_1970, "info", "m", {}).starts_with("{\"ts\":\"1969-12-31T23:59:59.250Z\""));
  parse_line(json_log_line(system_clock::time_point::max(), "info", "m", {}));
  parse_line(json_log_line(system_clock::time_point::min(), "info", "m", {}));
}

// Through spdlog's default logger, as the server logs.
class JsonLoggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_st>(out_));
    logger->set_formatter(make_json_formatter());
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  std::vector<boost::json::object> lines() {
    std::vector<boost::json::object> out;
    std::string line;
    std::istringstream in(out_.str());
    while (std::getline(in, line)) out.push_back(parse_line(line + "\n"));
    return out;
  }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(JsonLoggerTest, FieldsBelongToTheirLineOnly) {
  const std::string id = "req-1";
  log_with_fields(spdlog::level::info, {{"request_id", id}, {"status", 200}}, "GET {} {}", "/a", 200);
  spdlog::info("plain {}", "line");
  log_with_fields(spdlog::level::debug, {{"request_id", "hidden"}}, "below the level");
  log_with_fields(spdlog::level::err, {{"request_id", std::string("req-2")}, {"error", "boom\n\"x\""}}, "failed");

  const auto got = lines();
  ASSERT_EQ(got.size(), 3u) << out_.str();
  EXPECT_EQ(got[0].at("msg").as_string(), "GET /a 200");
  EXPECT_EQ(got[0].at("request_id").as_string(), "req-1");
  EXPECT_EQ(got[0].at("status").as_int64(), 200);
  EXPECT_EQ(got[0].at("level").as_string(), "info");
  EXPECT_FALSE(got[1].contains("request_id")) << "fields must not leak into the next line";
  EXPECT_EQ(got[1].at("msg").as_string(), "plain line");
  EXPECT_EQ(got[2].at("request_id").as_string(), "req-2");
  EXPECT_EQ(got[2].at("error").as_string(), "boom\n\"x\"");
  EXPECT_EQ(got[2].at("level").as_string(), "error");
}

}  // namespace
}  // namespace sentinel::observability
