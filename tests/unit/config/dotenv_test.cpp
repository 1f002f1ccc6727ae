#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/config.hpp"

using namespace sentinel::config;

TEST(Dotenv, CommentsBlankLinesExportAndQuotes) {
  auto s = parse_dotenv(
      "# comment\n"
      "\n"
      "export PORT=9000\n"
      "HOST = '0.0.0.0'\n"
      "LOG_LEVEL=\"debug\" \n"
      "X=a # note\n"
      "   # indented comment\n"
      "Y=\"quoted # not a comment\" # a comment\n"
      "Z='single $literal \\n'\n"
      "URL=http://host/#fragment\n"
      "ESCAPED=\"line1\\nline2 \\\"q\\\" back\\\\slash\"\n"
      "EMPTY=\n"
      "exporter=value\n"
      "LAST=no-newline");
  ASSERT_TRUE(s) << s.error().detail;
  EXPECT_EQ(s->at("PORT"), "9000");
  EXPECT_EQ(s->at("HOST"), "0.0.0.0");
  EXPECT_EQ(s->at("LOG_LEVEL"), "debug");
  EXPECT_EQ(s->at("X"), "a");
  EXPECT_EQ(s->at("Y"), "quoted # not a comment");
  EXPECT_EQ(s->at("Z"), "single $literal \\n");
  EXPECT_EQ(s->at("URL"), "http://host/#fragment");
  EXPECT_EQ(s->at("ESCAPED"), "line1\nline2 \"q\" back\\slash");
  EXPECT_EQ(s->at("EMPTY"), "");
  EXPECT_EQ(s->at("exporter"), "value");
  EXPECT_EQ(s->at("LAST"), "no-newline");
  EXPECT_EQ(s->size(), 11u);
}

TEST(Dotenv, WindowsLineEndingsAndByteOrderMark) {
  auto s = parse_dotenv("\xEF\xBB\xBFPORT=9000\r\nHOST=\"::1\"\r\n");
  ASSERT_TRUE(s) << s.error().detail;
  EXPECT_EQ(s->at("PORT"), "9000");
  EXPECT_EQ(s->at("HOST"), "::1");
}

TEST(Dotenv, LaterLineWins) {
  auto s = parse_dotenv("PORT=1\nPORT=2\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->at("PORT"), "2");
}

TEST(Dotenv, MalformedLineIsNamedByNumber) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"PORT=1\nthis line is wrong\n", ".env line 2: "},
      {"# c\n\nPORT=1\n=value\n", ".env line 4: "},
      {"1PORT=1\n", ".env line 1: "},
      {"BAD-NAME=1\n", ".env line 1: "},
      {"A=1\nB=\"unterminated\nC=3\n", ".env line 2: unterminated quote"},
      {"A='x' trailing\n", ".env line 1: "},
  };
  for (const auto& [text, prefix] : bad) {
    auto s = parse_dotenv(text);
    ASSERT_FALSE(s) << text;
    EXPECT_TRUE(s.error().detail.starts_with(prefix)) << s.error().detail;
  }
}

namespace {

// Runs a test in a fresh working directory with a clean set of variables.
class ProcessConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = std::filesystem::current_path();
    dir_ = std::filesystem::temp_directory_path() /
           ("sentinel-dotenv-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::filesystem::current_path(dir_);
    for (const auto& name : variable_names()) {
      if (const char* v = std::getenv(name.c_str())) saved_.emplace_back(name, v);
      ::unsetenv(name.c_str());
    }
  }
  void TearDown() override {
    for (const auto& name : variable_names()) ::unsetenv(name.c_str());
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
    std::filesystem::current_path(previous_);
    std::filesystem::remove_all(dir_);
  }
  void write_dotenv(const std::string& text) { std::ofstream(dir_ / ".env") << text; }

  std::filesystem::path previous_, dir_;
  std::vector<std::pair<std::string, std::string>> saved_;
};

}  // namespace

TEST_F(ProcessConfig, ReadsDotenvThenEnvironmentThenFlags) {
  write_dotenv("PORT=1234\nLOG_LEVEL=debug\nHOST=10.0.0.1\n");
  ::setenv("LOG_LEVEL", "error", 1);
  ::setenv("HOST", "10.0.0.2", 1);
  auto c = load_from_process({{"HOST", "10.0.0.3"}});
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->port, 1234);
  EXPECT_EQ(c->log_level, "error");
  EXPECT_EQ(c->host, "10.0.0.3");
}

TEST_F(ProcessConfig, WorksWithoutDotenv) {
  ::setenv("PORT", "8123", 1);
  auto c = load_from_process({});
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->port, 8123);
}

TEST_F(ProcessConfig, MalformedDotenvIsAnError) {
  write_dotenv("PORT=1234\nnot an assignment\n");
  auto c = load_from_process({});
  ASSERT_FALSE(c);
  EXPECT_TRUE(c.error().detail.starts_with(".env line 2")) << c.error().detail;
}

TEST_F(ProcessConfig, BadValueInDotenvNamesTheVariable) {
  write_dotenv("WS_METRICS_INTERVAL_SEC=-1\n");
  auto c = load_from_process({});
  ASSERT_FALSE(c);
  EXPECT_TRUE(c.error().detail.starts_with("WS_METRICS_INTERVAL_SEC: ")) << c.error().detail;
}
