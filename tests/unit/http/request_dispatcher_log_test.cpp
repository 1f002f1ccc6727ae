// The dispatcher's access and error lines with LOG_FORMAT=json: the request
// id, method, route, status and duration are fields of their own, and the id
// is the one in the X-Request-ID header.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "http/request_dispatcher.hpp"
#include "observability/logging.hpp"
#include "run_awaitable.hpp"

using namespace sentinel::http;

namespace {

class DispatcherJsonLog : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/items/{id}", [](Request&) -> boost::asio::awaitable<Response> { co_return Response{}; });
    router_.add("GET", "/db", [](Request&) -> boost::asio::awaitable<Response> {
      throw sentinel::core::DependencyUnavailable("Database unavailable: \"refused\"\nretry");
      co_return Response{};
    });
    router_.add("GET", "/boom", [](Request&) -> boost::asio::awaitable<Response> {
      throw std::runtime_error("bad \xFF byte");
      co_return Response{};
    });
    previous_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_st>(out_));
    logger->set_formatter(sentinel::observability::make_json_formatter());
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  Response call(std::string path, Fields headers = {}) {
    Request req;
    req.method = "GET";
    req.path = std::move(path);
    req.headers = std::move(headers);
    req.remote_address = "127.0.0.1";
    return run_awaitable(dispatcher_.dispatch(req));
  }

  // Every line written so far, each one JSON object.
  std::vector<boost::json::object> lines() {
    std::vector<boost::json::object> out;
    std::istringstream in(out_.str());
    std::string line;
    while (std::getline(in, line)) {
      boost::system::error_code ec;
      auto v = boost::json::parse(line, ec);
      EXPECT_FALSE(ec) << line;
      if (!ec && v.is_object()) out.push_back(v.as_object());
    }
    return out;
  }

  static std::string header(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (iequals(k, name)) return v;
    return {};
  }

  Router router_;
  RequestDispatcher dispatcher_{router_, {}};
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(DispatcherJsonLog, AccessLineCarriesTheRequestFields) {
  const auto res = call("/items/7", {{"X-Request-ID", "trace-42"}});
  EXPECT_EQ(header(res, "X-Request-ID"), "trace-42");
  const auto got = lines();
  ASSERT_EQ(got.size(), 1u) << out_.str();
  const auto& line = got[0];
  EXPECT_EQ(line.at("request_id").as_string(), "trace-42");
  EXPECT_EQ(line.at("method").as_string(), "GET");
  EXPECT_EQ(line.at("route").as_string(), "/items/{id}");
  EXPECT_EQ(line.at("path").as_string(), "/items/7");
  EXPECT_EQ(line.at("status").as_int64(), 200);
  EXPECT_TRUE(line.at("duration_ms").is_number());
  EXPECT_GE(line.at("duration_ms").to_number<double>(), 0.0);
  EXPECT_EQ(line.at("level").as_string(), "info");
}

TEST_F(DispatcherJsonLog, GeneratedIdIsTheOneInTheHeader) {
  const auto res = call("/nowhere", {{"X-Request-ID", "has space"}});  // not a valid id: replaced
  const std::string id = header(res, "X-Request-ID");
  EXPECT_EQ(id.size(), 16u);
  const auto got = lines();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].at("request_id").as_string(), id);
  EXPECT_EQ(got[0].at("route").as_string(), "unmatched");
  EXPECT_EQ(got[0].at("status").as_int64(), 404);
}

TEST_F(DispatcherJsonLog, ErrorLinesCarryTheSameFields) {
  const auto unavailable = call("/db", {{"X-Request-ID", "id-503"}});
  const auto failed = call("/boom", {{"X-Request-ID", "id-500"}});
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(failed.status, 500);
  const auto got = lines();
  ASSERT_EQ(got.size(), 4u) << out_.str();  // error line, then access line, per request
  EXPECT_EQ(got[0].at("level").as_string(), "warning");
  EXPECT_EQ(got[0].at("request_id").as_string(), "id-503");
  EXPECT_EQ(got[0].at("route").as_string(), "/db");
  EXPECT_EQ(got[0].at("status").as_int64(), 503);
  EXPECT_EQ(got[0].at("error").as_string(), "Database unavailable: \"refused\"\nretry");
  EXPECT_TRUE(got[0].at("duration_ms").is_number());
  EXPECT_EQ(got[1].at("request_id").as_string(), "id-503");
  EXPECT_EQ(got[2].at("level").as_string(), "error");
  EXPECT_EQ(got[2].at("request_id").as_string(), "id-500");
  EXPECT_EQ(got[2].at("method").as_string(), "GET");
  EXPECT_EQ(got[2].at("status").as_int64(), 500);
  EXPECT_EQ(got[2].at("error").as_string(), "bad \uFFFD byte");
  EXPECT_EQ(got[3].at("status").as_int64(), 500);
}

// LOG_FORMAT=text: whatever a client put in the request line, each request
// is one line of printable text (no forged lines, no terminal escapes).
class DispatcherTextLog : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/items/{id}", [](Request&) -> boost::asio::awaitable<Response> { co_return Response{}; });
    previous_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_st>(out_));
    logger->set_formatter(sentinel::observability::make_text_formatter());
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  Response call(std::string method, std::string path) {
    Request req;
    req.method = std::move(method);
    req.path = std::move(path);
    req.remote_address = "127.0.0.1";
    return run_awaitable(dispatcher_.dispatch(req));
  }

  Router router_;
  RequestDispatcher dispatcher_{router_, {}};
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(DispatcherTextLog, ControlCharactersFromTheClientAreEscaped) {
  using namespace std::string_literals;
  const std::string forged = "/items/1\r\n2030-01-01T00:00:00.000Z info GET /admin 200 \x1b[2J\x7f"s + '\0' +
                             "end\xff\xc2\x9b";
  call("GET", forged);
  const std::string text = out_.str();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "one line: " << text;
  for (const char c : text.substr(0, text.size() - 1)) {
    const auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20 && u != 0x7f && u < 0x80) << "byte " << static_cast<int>(u) << " in " << text;
  }
  EXPECT_NE(text.find("/items/1\\x0d\\x0a2030-01-01"), std::string::npos) << text;
  EXPECT_NE(text.find("\\x1b[2J\\x7f\\x00end\\xff\\xc2\\x9b"), std::string::npos) << text;
}

TEST_F(DispatcherTextLog, ValidUtf8AndBackslashesAreKeptReadable) {
  call("GET", "/items/caf\xC3\xA9\\x41");
  const std::string text = out_.str();
  EXPECT_NE(text.find("/items/caf\xC3\xA9\\\\x41"), std::string::npos) << text;
}

TEST(LogEscaped, EscapesEveryControlAndIllFormedByte) {
  using sentinel::observability::log_escaped;
  EXPECT_EQ(log_escaped("plain text /a?b=c"), "plain text /a?b=c");
  EXPECT_EQ(log_escaped(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(log_escaped("\t\r\n\x1f\x7f"), "\\x09\\x0d\\x0a\\x1f\\x7f");
  EXPECT_EQ(log_escaped("\xC0\xAF \xED\xA0\x80"), "\\xc0\\xaf \\xed\\xa0\\x80");
  EXPECT_EQ(log_escaped("\xE2\x9C\x93 \xC2\xA0"), "\xE2\x9C\x93 \xC2\xA0");  // ✓ and NBSP stay
  EXPECT_EQ(log_escaped("\xC2\x85"), "\\xc2\\x85");                          // C1 NEL
  EXPECT_EQ(log_escaped("\xE2\x9C"), "\\xe2\\x9c");                          // cut short
}

// Unknown methods are answered 501 without reaching the router, so a client
// cannot make each made-up method a metric label value (see app/instrumentation).
TEST_F(DispatcherTextLog, UnknownMethodsAre501) {
  for (const char* m : {"Q1", "BOGUS", "get", "PROPFIND", "TRACE", "CONNECT"}) {
    const auto res = call(m, "/items/1");
    EXPECT_EQ(res.status, 501) << m;
    EXPECT_EQ(res.body, R"({"detail":"Not Implemented"})") << m;
  }
  for (const char* m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    EXPECT_TRUE(is_known_method(m)) << m;
    EXPECT_NE(call(m, "/items/1").status, 501) << m;
  }
}

}  // namespace
