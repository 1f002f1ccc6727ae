#include "config/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

using namespace sentinel::config;

namespace {

// Loads with `name=value` in the real environment and nothing else.
sentinel::core::Result<Config> load_one(const std::string& name, const std::string& value) {
  return load({}, {{name, value}}, {});
}

}  // namespace

TEST(Config, DefaultsMatchTheContract) {
  auto c = load({}, {}, {});
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->secret_key.empty());
  EXPECT_EQ(c->database_url, "sqlite:///./data/sentinel.db");
  EXPECT_FALSE(c->redis_url);
  EXPECT_EQ(c->prometheus_url, "http://localhost:9090");
  EXPECT_EQ(c->prometheus_timeout_sec, 10);
  EXPECT_EQ(c->prometheus_max_concurrency, 16);
  EXPECT_EQ(c->telegram_api_url, "https://api.telegram.org");
  EXPECT_FALSE(c->telegram_silent_resolved);
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 8000);
  EXPECT_EQ(c->access_token_expire_minutes, 60);
  EXPECT_EQ(c->alert_check_interval_sec, 60);
  EXPECT_EQ(c->group_wait_sec, 30);
  EXPECT_EQ(c->group_interval_sec, 300);
  EXPECT_EQ(c->ws_metrics_interval_sec, 5);
  EXPECT_EQ(c->ws_ping_interval_sec, 15);
  EXPECT_EQ(c->metrics_cache_ttl_sec, 1);
  EXPECT_TRUE(c->cors_origins.empty());
  EXPECT_EQ(c->log_level, "info");
  EXPECT_EQ(c->log_format, "text");
  EXPECT_EQ(data_dir(*c), std::filesystem::path("./data"));
}

TEST(Config, EnvironmentBeatsDotenvAndFlagsBeatBoth) {
  auto c = load({{"PORT", "1111"}, {"HOST", "0.0.0.0"}}, {{"PORT", "2222"}}, {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->port, 2222);
  EXPECT_EQ(c->host, "0.0.0.0") << "a .env value is used when nothing overrides it";
  c = load({{"PORT", "1111"}}, {{"PORT", "2222"}}, {{"PORT", "3333"}});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->port, 3333);
  // A bad .env value hidden by a good environment value is never looked at.
  EXPECT_TRUE(load({{"PORT", "junk"}}, {{"PORT", "2222"}}, {}));
}

TEST(Config, GroupingBoundsIncludeTheirEnds) {
  auto c = load({}, {{"GROUP_WAIT_SEC", "0"}, {"GROUP_INTERVAL_SEC", "86400"}}, {});
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->group_wait_sec, 0);
  EXPECT_EQ(c->group_interval_sec, 86400);
}

TEST(Config, EmptyValueCountsAsUnset) {
  auto c = load({}, {{"LOG_LEVEL", ""}, {"REDIS_URL", ""}, {"PORT", ""}}, {});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->log_level, "info");
  EXPECT_FALSE(c->redis_url);
  EXPECT_EQ(c->port, 8000);
}

TEST(Config, ErrorDetailIsOneReadableLine) {
  auto c = load_one("PORT", "abc");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, sentinel::core::ErrorKind::invalid);
  EXPECT_EQ(c.error().detail, "PORT: must be an integer between 1 and 65535, got 'abc'");
  c = load_one("SECRET_KEY", "short");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().detail, "SECRET_KEY: must be at least 32 bytes (got 5)");
}

TEST(Config, EveryBadValueNamesItsVariable) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"SECRET_KEY", std::string(31, 'k')},
      {"DATABASE_URL", "mysql://x/y"},
      {"DATABASE_URL", "not a url"},
      {"DATABASE_URL", "sqlite://relative.db"},
      {"DATABASE_URL", "postgresql://"},
      {"REDIS_URL", "http://x"},
      {"REDIS_URL", "redis//x"},
      {"PROMETHEUS_URL", "ftp://x"},
      {"PROMETHEUS_URL", "localhost:9090"},
      {"PROMETHEUS_TIMEOUT_SEC", "-1"},
      {"PROMETHEUS_TIMEOUT_SEC", "0"},
      {"PROMETHEUS_MAX_CONCURRENCY", "0"},
      {"PROMETHEUS_MAX_CONCURRENCY", "1025"},
      {"TELEGRAM_API_URL", "ftp://api.telegram.org"},
      {"TELEGRAM_MESSAGE_THREAD_ID", "abc"},
      {"TELEGRAM_MESSAGE_THREAD_ID", "1.5"},
      {"TELEGRAM_SILENT_RESOLVED", "maybe"},
      {"HTTPS_PROXY", "ftp://proxy:3128"},
      {"WEBHOOK_URL", "mailto:ops@example.com"},
      {"HOST", "my host"},
      {"PORT", "0"},
      {"PORT", "65536"},
      {"PORT", "80x"},
      {"PORT", "-80"},
      {"ACCESS_TOKEN_EXPIRE_MINUTES", "0"},
      {"ACCESS_TOKEN_EXPIRE_MINUTES", "525601"},
      {"ALERT_CHECK_INTERVAL_SEC", "-5"},
      {"ALERT_CHECK_INTERVAL_SEC", "1.5"},
      {"GROUP_WAIT_SEC", "-1"},
      {"GROUP_WAIT_SEC", "3601"},
      {"GROUP_INTERVAL_SEC", "0"},
      {"GROUP_INTERVAL_SEC", "86401"},
      {"WS_METRICS_INTERVAL_SEC", "x"},
      {"WS_METRICS_INTERVAL_SEC", "0"},
      {"WS_PING_INTERVAL_SEC", "0"},
      {"WS_PING_INTERVAL_SEC", "soon"},
      {"METRICS_CACHE_TTL_SEC", "-1"},
      {"METRICS_CACHE_TTL_SEC", "3601"},
      {"CORS_ORIGINS", "not-an-origin"},
      {"CORS_ORIGINS", "https://ok.example.com,ftp://files.example.com"},
      {"CORS_ORIGINS", "https://app.example.com/some/path"},
      {"PUBLIC_URL", "sentinel.example.com"},
      {"PUBLIC_URL", "ftp://sentinel.example.com"},
      {"PUBLIC_URL", "https://sentinel.example.com/console"},
      {"PUBLIC_URL", "https://user:pw@sentinel.example.com"},
      {"PUBLIC_URL", "https://sentinel.example.com/?x=1"},
      {"FIRST_SUPERUSER_EMAIL", "not-an-email"},
      {"FIRST_SUPERUSER_EMAIL", "admin@example.com"},  // without a password
      {"FIRST_SUPERUSER_PASSWORD", "7-chars"},
      {"FIRST_SUPERUSER_PASSWORD", "long-enough-password"},  // without an email
      {"LOG_LEVEL", "loud"},
      {"LOG_FORMAT", "xml"},
  };
  for (const auto& [name, value] : bad) {
    auto c = load_one(name, value);
    ASSERT_FALSE(c) << name << "=" << value;
    EXPECT_EQ(c.error().kind, sentinel::core::ErrorKind::invalid);
    const auto& detail = c.error().detail;
    // The pair rule names the variable that is missing.
    if (name.starts_with("FIRST_SUPERUSER_"))
      EXPECT_TRUE(detail.starts_with("FIRST_SUPERUSER_")) << detail;
    else
      EXPECT_TRUE(detail.starts_with(name + ": ")) << name << "=" << value << " → " << detail;
    EXPECT_EQ(detail.find('\n'), std::string::npos) << detail;
  }
}

TEST(Config, GoodValuesAreParsed) {
  auto c = load({},
                {{"SECRET_KEY", std::string(32, 'k')},
                 {"DATABASE_URL", "postgres://sentinel:pw@db:5432/sentinel"},
                 {"REDIS_URL", "redis://:pw@cache:6380/1"},
                 {"PROMETHEUS_URL", "https://thanos.example.com/prefix"},
                 {"PROMETHEUS_MAX_CONCURRENCY", "1024"},
                 {"TELEGRAM_MESSAGE_THREAD_ID", "42"},
                 {"TELEGRAM_SILENT_RESOLVED", "YES"},
                 {"HTTPS_PROXY", "http://proxy.internal:3128"},
                 {"WEBHOOK_URL", "https://hooks.example.com/x"},
                 {"HOST", "::"},
                 {"PORT", "65535"},
                 {"ACCESS_TOKEN_EXPIRE_MINUTES", "525600"},
                 {"CORS_ORIGINS", " https://app.example.com , http://localhost:3000/ "},
                 {"FIRST_SUPERUSER_EMAIL", "Admin@Example.COM"},
                 {"FIRST_SUPERUSER_PASSWORD", "8-chars!"},
                 {"LOG_LEVEL", "WARNING"},
                 {"LOG_FORMAT", "Json"}},
                {});
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->database_url, "postgres://sentinel:pw@db:5432/sentinel");
  EXPECT_EQ(*c->redis_url, "redis://:pw@cache:6380/1");
  EXPECT_EQ(c->prometheus_max_concurrency, 1024);
  EXPECT_EQ(*c->telegram_message_thread_id, 42);
  EXPECT_TRUE(c->telegram_silent_resolved);
  EXPECT_EQ(c->host, "::");
  EXPECT_EQ(c->port, 65535);
  EXPECT_EQ(c->access_token_expire_minutes, 525600);
  EXPECT_EQ(c->cors_origins, (std::vector<std::string>{"https://app.example.com", "http://localhost:3000"}));
  EXPECT_EQ(*c->first_superuser_email, "admin@example.com");
  EXPECT_EQ(c->log_level, "warning");
  EXPECT_EQ(c->log_format, "json");
  EXPECT_EQ(data_dir(*c), std::filesystem::path("./data"));
}

TEST(Config, BooleansAcceptTheUsualSpellings) {
  for (const char* yes : {"true", "TRUE", "1", "yes", "On"}) {
    auto c = load_one("TELEGRAM_SILENT_RESOLVED", yes);
    ASSERT_TRUE(c) << yes;
    EXPECT_TRUE(c->telegram_silent_resolved) << yes;
  }
  for (const char* no : {"false", "False", "0", "no", "OFF"}) {
    auto c = load({}, {{"TELEGRAM_SILENT_RESOLVED", "true"}}, {{"TELEGRAM_SILENT_RESOLVED", no}});
    ASSERT_TRUE(c) << no;
    EXPECT_FALSE(c->telegram_silent_resolved) << no;
  }
}

TEST(Config, MetricsCacheCanBeTurnedOff) {
  auto c = load_one("METRICS_CACHE_TTL_SEC", "0");
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->metrics_cache_ttl_sec, 0);
}

TEST(Config, PublicUrlIsAnOriginWithoutItsTrailingSlash) {
  EXPECT_FALSE(load_one("PORT", "8000")->public_url);
  auto c = load_one("PUBLIC_URL", "https://sentinel.example.com/");
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->public_url, "https://sentinel.example.com");
  auto port = load_one("PUBLIC_URL", "http://10.0.0.5:8000");
  ASSERT_TRUE(port) << port.error().detail;
  EXPECT_EQ(port->public_url, "http://10.0.0.5:8000");
  EXPECT_NE(describe(*c).find("PUBLIC_URL=https://sentinel.example.com\n"), std::string::npos);
}

TEST(Config, CorsWildcard) {
  auto c = load_one("CORS_ORIGINS", "*");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->cors_origins, std::vector<std::string>{"*"});
}

TEST(Config, PrometheusBasicAuthNeedsAUsername) {
  auto c = load_one("PROMETHEUS_PASSWORD", "prom-pass");
  ASSERT_FALSE(c);
  EXPECT_TRUE(c.error().detail.starts_with("PROMETHEUS_USERNAME: ")) << c.error().detail;
  EXPECT_EQ(c.error().detail.find("prom-pass"), std::string::npos);
  auto ok = load({}, {{"PROMETHEUS_USERNAME", "prom"}, {"PROMETHEUS_PASSWORD", "prom-pass"}}, {});
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok->prometheus_username, "prom");
  EXPECT_EQ(*ok->prometheus_password, "prom-pass");
  auto bearer = load_one("PROMETHEUS_BEARER_TOKEN", "token");
  ASSERT_TRUE(bearer);
  EXPECT_EQ(*bearer->prometheus_bearer_token, "token");
}

TEST(Config, SecretsAreNeverEchoedInErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"DATABASE_URL", "mysql://user:hunter2@db/x"},
      {"REDIS_URL", "http://:hunter2@cache"},
      {"HTTPS_PROXY", "ftp://u:hunter2@proxy"},
      {"WEBHOOK_URL", "mailto:hunter2@example.com"},
      {"SECRET_KEY", "hunter2"},
      {"FIRST_SUPERUSER_PASSWORD", "hunter2"},
  };
  for (const auto& [name, value] : cases) {
    auto c = load_one(name, value);
    ASSERT_FALSE(c) << name;
    EXPECT_TRUE(c.error().detail.starts_with(name)) << c.error().detail;
    EXPECT_EQ(c.error().detail.find("hunter2"), std::string::npos) << c.error().detail;
  }
}

TEST(Config, DataDirFollowsTheSqliteFile) {
  auto at = [](const std::string& url) {
    auto c = load_one("DATABASE_URL", url);
    EXPECT_TRUE(c) << url;
    return c ? data_dir(*c) : std::filesystem::path();
  };
  EXPECT_EQ(at("sqlite:///./data/sentinel.db"), std::filesystem::path("./data"));
  EXPECT_EQ(at("sqlite:////var/lib/sentinel/db.sqlite"), std::filesystem::path("/var/lib/sentinel"));
  EXPECT_EQ(at("sqlite:///sentinel.db"), std::filesystem::path("."));
  EXPECT_EQ(at("postgresql://u:p@db/sentinel"), std::filesystem::path("./data"));
}

TEST(Config, DescribeListsEveryVariableAndMasksSecrets) {
  auto c = load({}, {{"SECRET_KEY", std::string(40, 'S')},
                     {"DATABASE_URL", "postgresql://sentinel:pg-pass@db:5432/sentinel"},
                     {"REDIS_URL", "redis://:redis-pass@cache:6379/0"},
                     {"HTTPS_PROXY", "http://proxy-user:proxy-pass@proxy:3128"},
                     {"TELEGRAM_BOT_TOKEN", "123:bot-token"},
                     {"PROMETHEUS_USERNAME", "prom"},
                     {"PROMETHEUS_PASSWORD", "prom-pass"},
                     {"PROMETHEUS_BEARER_TOKEN", "prom-bearer"},
                     {"FIRST_SUPERUSER_EMAIL", "admin@example.com"},
                     {"FIRST_SUPERUSER_PASSWORD", "admin-pass"}},
                {});
  ASSERT_TRUE(c) << c.error().detail;
  const auto text = describe(*c);
  for (const char* secret :
       {"SSSSSSSSSS", "pg-pass", "redis-pass", "proxy-pass", "bot-token", "prom-pass", "prom-bearer", "admin-pass"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked:\n" << text;
  for (const char* line : {"SECRET_KEY=****\n", "DATABASE_URL=postgresql://sentinel:****@db:5432/sentinel\n",
                           "REDIS_URL=redis://:****@cache:6379/0\n", "HTTPS_PROXY=http://proxy-user:****@proxy:3128\n",
                           "TELEGRAM_BOT_TOKEN=****\n", "PROMETHEUS_USERNAME=prom\n", "PROMETHEUS_PASSWORD=****\n",
                           "PROMETHEUS_BEARER_TOKEN=****\n", "FIRST_SUPERUSER_EMAIL=admin@example.com\n",
                           "FIRST_SUPERUSER_PASSWORD=****\n", "PORT=8000\n", "TELEGRAM_CHAT_ID=\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "missing from:\n" << text;

  // One line per variable, in the documented set.
  std::istringstream lines(text);
  std::vector<std::string> names;
  for (std::string l; std::getline(lines, l);) names.push_back(l.substr(0, l.find('=')));
  EXPECT_EQ(names, variable_names());
}

// hiredis here has no TLS: rediss:// is refused at start with one line
// naming REDIS_URL, never spoken in plaintext.
TEST(Config, RedissIsRefusedNotSilentlyPlaintext) {
  for (const char* url : {"rediss://:pw@cache:6380/1", "REDISS://cache:6380", "rediss://cache"}) {
    auto c = load({}, {{"REDIS_URL", url}}, {});
    ASSERT_FALSE(c) << url;
    const std::string& detail = c.error().detail;
    EXPECT_TRUE(detail.starts_with("REDIS_URL: ")) << detail;
    EXPECT_NE(detail.find("TLS"), std::string::npos) << detail;
    EXPECT_EQ(detail.find('\n'), std::string::npos) << detail;
    EXPECT_EQ(detail.find("pw"), std::string::npos) << detail;
  }
  EXPECT_TRUE(load({}, {{"REDIS_URL", "redis://cache:6379/0"}}, {}));
}

// A Slack-style webhook URL's path is its secret; a query can hold a token.
TEST(Config, DescribeMasksThePathAndQueryOfOutboundUrls) {
  auto c = load({},
                {{"WEBHOOK_URL", "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX?token=qsecret"},
                 {"TELEGRAM_API_URL", "https://tg-proxy.internal:8443/botapi-secret-prefix"},
                 {"HTTPS_PROXY", "http://user:proxy-pass@proxy.internal:3128/path-secret"},
                 {"PROMETHEUS_URL", "https://prom-user:prom-url-pass@thanos.example.com:10902/tenant-secret?x=y"}},
                {});
  ASSERT_TRUE(c) << c.error().detail;
  const auto text = describe(*c);
  for (const char* secret : {"XXXXSECRETXXXX", "services", "qsecret", "botapi-secret-prefix", "proxy-pass",
                             "path-secret", "prom-url-pass", "tenant-secret", "x=y"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked:\n" << text;
  for (const char* line : {"WEBHOOK_URL=https://hooks.slack.com/****\n",
                           "TELEGRAM_API_URL=https://tg-proxy.internal:8443/****\n",
                           "HTTPS_PROXY=http://user:****@proxy.internal:3128/****\n",
                           "PROMETHEUS_URL=https://prom-user:****@thanos.example.com:10902/****\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "missing from:\n" << text;
  // Nothing to hide: shown whole.
  auto plain = load({}, {{"WEBHOOK_URL", "https://hooks.example.com/"}, {"PROMETHEUS_URL", "http://prom:9090"}}, {});
  ASSERT_TRUE(plain);
  const auto plain_text = describe(*plain);
  EXPECT_NE(plain_text.find("WEBHOOK_URL=https://hooks.example.com\n"), std::string::npos) << plain_text;
  EXPECT_NE(plain_text.find("PROMETHEUS_URL=http://prom:9090\n"), std::string::npos) << plain_text;
}

TEST(Config, DescribeShowsUnsetSecretsAsEmpty) {
  auto c = load({}, {}, {});
  ASSERT_TRUE(c);
  const auto text = describe(*c);
  for (const char* line : {"REDIS_URL=\n", "TELEGRAM_BOT_TOKEN=\n", "PROMETHEUS_PASSWORD=\n",
                           "PROMETHEUS_BEARER_TOKEN=\n", "FIRST_SUPERUSER_PASSWORD=\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line;
  EXPECT_EQ(text.find("****"), std::string::npos) << text;
}
