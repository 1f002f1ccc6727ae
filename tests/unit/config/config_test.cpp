#include "config/config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

using namespace sentinel::config;

TEST(Config, DefaultsMatchTheContract) {
  auto c = load({}, {}, {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->database_url, "sqlite:///./data/sentinel.db");
  EXPECT_EQ(c->prometheus_url, "http://localhost:9090");
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 8000);
  EXPECT_EQ(c->access_token_expire_minutes, 60);
  EXPECT_EQ(c->alert_check_interval_sec, 60);
  EXPECT_EQ(c->ws_metrics_interval_sec, 5);
  EXPECT_EQ(c->prometheus_max_concurrency, 16);
  EXPECT_TRUE(c->cors_origins.empty());
  EXPECT_EQ(data_dir(*c), std::filesystem::path("./data"));
}

TEST(Config, EnvironmentBeatsDotenvAndFlagsBeatBoth) {
  auto c = load({{"PORT", "1111"}, {"HOST", "0.0.0.0"}}, {{"PORT", "2222"}}, {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->port, 2222);
  EXPECT_EQ(c->host, "0.0.0.0");
  c = load({{"PORT", "1111"}}, {{"PORT", "2222"}}, {{"PORT", "3333"}});
  EXPECT_EQ(c->port, 3333);
}

TEST(Config, EveryBadValueNamesItsVariable) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"PORT", "abc"},
      {"PORT", "70000"},
      {"SECRET_KEY", "short"},
      {"DATABASE_URL", "mysql://x/y"},
      {"DATABASE_URL", "not a url"},
      {"REDIS_URL", "http://x"},
      {"PROMETHEUS_URL", "ftp://x"},
      {"PROMETHEUS_TIMEOUT_SEC", "-1"},
      {"PROMETHEUS_MAX_CONCURRENCY", "0"},
      {"ALERT_CHECK_INTERVAL_SEC", "-5"},
      {"WS_METRICS_INTERVAL_SEC", "x"},
      {"ACCESS_TOKEN_EXPIRE_MINUTES", "0"},
      {"TELEGRAM_SILENT_RESOLVED", "maybe"},
      {"TELEGRAM_MESSAGE_THREAD_ID", "abc"},
      {"CORS_ORIGINS", "not-an-origin"},
      {"LOG_LEVEL", "loud"},
      {"LOG_FORMAT", "xml"},
      {"FIRST_SUPERUSER_EMAIL", "not-an-email"},
  };
  for (const auto& [name, value] : bad) {
    auto c = load({}, {{name, value}}, {});
    ASSERT_FALSE(c) << name << "=" << value;
    EXPECT_TRUE(c.error().detail.starts_with(name + ":")) << c.error().detail;
    EXPECT_EQ(c.error().detail.find('\n'), std::string::npos);
  }
}

TEST(Config, SecretsAreNeverEchoedInErrors) {
  auto c = load({}, {{"DATABASE_URL", "mysql://user:hunter2@db/x"}}, {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().detail.find("hunter2"), std::string::npos);
  c = load({}, {{"SECRET_KEY", "tiny-secret"}}, {});
  EXPECT_EQ(c.error().detail.find("tiny-secret"), std::string::npos);
}

TEST(Config, SuperuserEmailAndPasswordGoTogether) {
  EXPECT_FALSE(load({}, {{"FIRST_SUPERUSER_EMAIL", "a@b.co"}}, {}));
  auto ok = load({}, {{"FIRST_SUPERUSER_EMAIL", "Admin@B.co"}, {"FIRST_SUPERUSER_PASSWORD", "long-enough"}}, {});
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok->first_superuser_email, "admin@b.co");
}

TEST(Config, DescribeMasksSecrets) {
  auto c = load({}, {{"SECRET_KEY", std::string(40, 'S')},
                     {"DATABASE_URL", "postgresql://sentinel:pg-pass@db:5432/sentinel"},
                     {"TELEGRAM_BOT_TOKEN", "123:bot-token"},
                     {"PROMETHEUS_PASSWORD", "prom-pass"},
                     {"PROMETHEUS_USERNAME", "prom"}},
                {});
  ASSERT_TRUE(c);
  const auto text = describe(*c);
  for (const char* secret : {"SSSSSSSSSS", "pg-pass", "bot-token", "prom-pass"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  EXPECT_NE(text.find("DATABASE_URL=postgresql://sentinel:****@db:5432/sentinel"), std::string::npos) << text;
  EXPECT_NE(text.find("PROMETHEUS_USERNAME=prom"), std::string::npos);
}

TEST(Config, DotenvParsing) {
  auto s = parse_dotenv("# comment\n\nexport PORT=9000\nHOST = '0.0.0.0'\nLOG_LEVEL=\"debug\" \nX=a # note\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->at("PORT"), "9000");
  EXPECT_EQ(s->at("HOST"), "0.0.0.0");
  EXPECT_EQ(s->at("LOG_LEVEL"), "debug");
  EXPECT_EQ(s->at("X"), "a");
  auto bad = parse_dotenv("PORT=1\nthis line is wrong\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().detail.find("line 2"), std::string::npos);
}

TEST(Config, GeneratedSecretKeyIsPrivateAndReused) {
  const auto dir = std::filesystem::temp_directory_path() / ("sentinel-key-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Config first;
  ASSERT_TRUE(ensure_secret_key(first, dir));
  EXPECT_TRUE(first.secret_key_generated);
  EXPECT_GE(first.secret_key.size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "secret.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Config second;
  ASSERT_TRUE(ensure_secret_key(second, dir));
  EXPECT_EQ(first.secret_key, second.secret_key);
  Config explicit_key;
  explicit_key.secret_key = std::string(32, 'e');
  ASSERT_TRUE(ensure_secret_key(explicit_key, dir));
  EXPECT_FALSE(explicit_key.secret_key_generated);
  std::filesystem::remove_all(dir);
}
