#include "config/config.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <expected>
#include <fstream>
#include <sstream>
#include <utility>

#include "domain/json.hpp"
#include "domain/server_discovery.hpp"

namespace sentinel::config {

namespace {

const std::vector<std::string> names = {
    "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PROMETHEUS_URL", "PROMETHEUS_TIMEOUT_SEC",
    "PROMETHEUS_MAX_CONCURRENCY", "PROMETHEUS_USERNAME", "PROMETHEUS_PASSWORD", "PROMETHEUS_BEARER_TOKEN",
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID", "TELEGRAM_API_URL", "TELEGRAM_MESSAGE_THREAD_ID",
    "TELEGRAM_SILENT_RESOLVED", "HTTPS_PROXY", "NO_PROXY", "WEBHOOK_URL", "HOST", "PORT",
    "ACCESS_TOKEN_EXPIRE_MINUTES", "ALERT_CHECK_INTERVAL_SEC", "GROUP_WAIT_SEC", "GROUP_INTERVAL_SEC",
    "WS_METRICS_INTERVAL_SEC", "METRICS_CACHE_TTL_SEC",
    "WS_PING_INTERVAL_SEC",     "CORS_ORIGINS", "PUBLIC_URL",
    "FIRST_SUPERUSER_EMAIL", "FIRST_SUPERUSER_PASSWORD", "LOG_LEVEL", "LOG_FORMAT",
    "MAX_CONNECTIONS", "MAX_CONNECTIONS_PER_CLIENT", "WS_MAX_PER_USER", "TRUSTED_PROXIES", "QUERY_MAX_BYTES",
    "NOTIFY_MAX_BACKOFF_SEC", "LOGIN_HASH_CONCURRENCY", "DISCOVERY_JOBS", "DISCOVERY_INTERVAL_SEC"};

core::Error bad(const std::string& name, const std::string& why) {
  return core::Error{core::ErrorKind::invalid, name + ": " + why, {}, 0};
}

std::string_view trim_view(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string trim(std::string_view s) { return std::string(trim_view(s)); }

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "10.0.0.0/8", "192.168.1.7", "fd00::/8": an address with an optional prefix length.
bool is_cidr(const std::string& text) {
  const auto slash = text.find('/');
  const std::string address = text.substr(0, slash);
  unsigned char buf[sizeof(struct in6_addr)];
  int max_prefix = 0;
  if (inet_pton(AF_INET, address.c_str(), buf) == 1)
    max_prefix = 32;
  else if (inet_pton(AF_INET6, address.c_str(), buf) == 1)
    max_prefix = 128;
  else
    return false;
  if (slash == std::string::npos) return true;
  const auto prefix = std::string_view(text).substr(slash + 1);
  int bits = -1;
  const auto [end, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), bits);
  return ec == std::errc{} && end == prefix.data() + prefix.size() && bits >= 0 && bits <= max_prefix;
}

// Reads one variable: the merged settings hold only non-empty values.
class Reader {
 public:
  explicit Reader(const Settings& s) : s_(s) {}

  std::optional<std::string> get(const std::string& name) const {
    auto it = s_.find(name);
    if (it == s_.end()) return std::nullopt;
    return it->second;
  }

  core::Result<void> integer(const std::string& name, std::int64_t lo, std::int64_t hi, std::int64_t& out) const {
    auto v = get(name);
    if (!v) return {};
    std::int64_t parsed = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), parsed);
    if (ec != std::errc{} || p != v->data() + v->size() || parsed < lo || parsed > hi)
      return core::fail(bad(name, "must be an integer between " + std::to_string(lo) + " and " + std::to_string(hi) +
                                      ", got '" + *v + "'"));
    out = parsed;
    return {};
  }

  core::Result<void> boolean(const std::string& name, bool& out) const {
    auto v = get(name);
    if (!v) return {};
    const auto l = lower(*v);
    if (l == "true" || l == "1" || l == "yes" || l == "on") {
      out = true;
    } else if (l == "false" || l == "0" || l == "no" || l == "off") {
      out = false;
    } else {
      return core::fail(bad(name, "must be true or false, got '" + *v + "'"));
    }
    return {};
  }

  // URL with one of `schemes`; a secret URL's value is never echoed.
  core::Result<void> url(const std::string& name, std::initializer_list<std::string_view> schemes, std::string& out,
                         bool secret = false) const {
    auto v = get(name);
    if (!v) return {};
    auto parsed = boost::urls::parse_absolute_uri(*v);
    const std::string shown = secret ? std::string("(value hidden)") : "'" + *v + "'";
    if (!parsed) return core::fail(bad(name, "is not a valid URL: " + shown));
    const auto scheme = lower(std::string(parsed->scheme()));
    if (std::find(schemes.begin(), schemes.end(), scheme) == schemes.end()) {
      std::string list;
      for (auto s : schemes) list += (list.empty() ? "" : ", ") + std::string(s) + "://";
      return core::fail(bad(name, "must start with " + list + ", got " + shown));
    }
    if (scheme != "sqlite" && parsed->host().empty())
      return core::fail(bad(name, "has no host: " + shown));
    out = *v;
    return {};
  }

  core::Result<void> optional_url(const std::string& name, std::initializer_list<std::string_view> schemes,
                                  std::optional<std::string>& out, bool secret = false) const {
    if (!get(name)) return {};
    std::string v;
    if (auto ok = url(name, schemes, v, secret); !ok) return ok;
    out = v;
    return {};
  }

  void text(const std::string& name, std::string& out) const {
    if (auto v = get(name)) out = *v;
  }
  void optional_text(const std::string& name, std::optional<std::string>& out) const {
    if (auto v = get(name)) out = *v;
  }

 private:
  const Settings& s_;
};

#define SENTINEL_TRY(expr)          \
  do {                              \
    if (auto ok_ = (expr); !ok_)    \
      return core::fail(ok_.error()); \
  } while (false)

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// The value part of a .env line. 'single quotes' are literal; "double
// quotes" understand \n, \t, \" and \\; after a closing quote only a
// comment may follow. Unquoted values end at " #" (an inline comment).
std::expected<std::string, std::string> parse_dotenv_value(std::string_view v) {
  if (v.empty() || (v.front() != '"' && v.front() != '\'')) {
    for (std::size_t i = 1; i < v.size(); ++i)
      if (v[i] == '#' && is_blank(v[i - 1])) return trim(v.substr(0, i));
    return std::string(v);
  }
  const char quote = v.front();
  std::string value;
  std::size_t i = 1;
  for (; i < v.size() && v[i] != quote; ++i) {
    if (quote == '"' && v[i] == '\\' && i + 1 < v.size()) {
      const char next = v[++i];
      value += next == 'n' ? '\n' : next == 't' ? '\t' : next;
    } else {
      value += v[i];
    }
  }
  if (i == v.size()) return std::unexpected("unterminated quote");
  const auto rest = trim(v.substr(i + 1));
  if (!rest.empty() && rest.front() != '#') return std::unexpected("unexpected text after the closing quote");
  return value;
}

// "NAME=value" with an optional "export " prefix.
std::expected<std::pair<std::string, std::string>, std::string> parse_dotenv_line(std::string_view line) {
  if (line.starts_with("export") && line.size() > 6 && is_blank(line[6])) line = trim_view(line.substr(7));
  const auto eq = line.find('=');
  if (eq == std::string_view::npos) return std::unexpected("expected NAME=value");
  auto key = trim(line.substr(0, eq));
  const bool key_ok = !key.empty() && !std::isdigit(static_cast<unsigned char>(key.front())) &&
                      std::all_of(key.begin(), key.end(), [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                      });
  if (!key_ok) return std::unexpected("expected NAME=value");
  auto value = parse_dotenv_value(trim(line.substr(eq + 1)));
  if (!value) return std::unexpected(value.error());
  return std::pair{std::move(key), std::move(*value)};
}

std::string mask_url_password(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || !parsed->has_password()) return url;
  boost::urls::url u(*parsed);
  u.set_password("****");
  return std::string(u.buffer());
}

// scheme://user:****@host:port/**** : a Slack-style webhook's path is its
// secret, and a query can hold a token; only where it goes is shown.
std::string mask_url_path(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return "****";
  std::string out = std::string(parsed->scheme()) + "://";
  if (parsed->has_userinfo()) {
    out += std::string(parsed->encoded_user());
    if (parsed->has_password()) out += ":****";
    out += '@';
  }
  out += std::string(parsed->encoded_host_and_port());
  const auto path = parsed->encoded_path();
  if ((!path.empty() && path != "/") || parsed->has_query() || parsed->has_fragment()) out += "/****";
  return out;
}

// Creates `file` holding 64 random hex characters, mode 0600. The key is
// written to a private temporary file (O_CREAT|O_EXCL) and link()ed into
// place, so it appears complete or not at all; when two processes start
// together link() fails with EEXIST for one of them, which then reads the
// other's key. Returns why it failed, or empty.
std::string publish_new_key(const std::filesystem::path& file) {
  if (sodium_init() < 0) return "cannot be generated: libsodium failed to initialise";
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  unsigned char tag[8];
  randombytes_buf(tag, sizeof tag);
  char tag_hex[sizeof tag * 2 + 1];
  sodium_bin2hex(tag_hex, sizeof tag_hex, tag, sizeof tag);
  const auto tmp = file.string() + ".tmp-" + tag_hex;

  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return std::string("cannot be created: ") + std::strerror(errno);
  const std::string line = std::string(hex) + "\n";
  const bool written =
      ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  const int linked = written ? ::link(tmp.c_str(), file.c_str()) : -1;
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (!written) return "cannot be written";
  if (linked != 0 && link_errno != EEXIST) return std::string("cannot be created: ") + std::strerror(link_errno);
  return {};
}

}  // namespace

const std::vector<std::string>& variable_names() { return names; }

core::Result<Settings> parse_dotenv(std::string_view contents) {
  if (contents.starts_with("\xEF\xBB\xBF")) contents.remove_prefix(3);  // UTF-8 BOM from Windows editors
  Settings out;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos <= contents.size()) {
    const auto nl = contents.find('\n', pos);
    const auto end = nl == std::string_view::npos ? contents.size() : nl;
    const auto line = trim(contents.substr(pos, end - pos));
    ++line_no;
    pos = end + 1;
    if (!line.empty() && line.front() != '#') {
      auto entry = parse_dotenv_line(line);
      if (!entry)
        return core::fail(core::Error{core::ErrorKind::invalid,
                                      ".env line " + std::to_string(line_no) + ": " + entry.error(), {}, 0});
      out[entry->first] = std::move(entry->second);
    }
    if (nl == std::string_view::npos) break;
  }
  return out;
}

core::Result<Config> load(const Settings& dotenv, const Settings& env, const Settings& flags) {
  Settings merged;
  for (const auto* src : {&dotenv, &env, &flags})
    for (const auto& [k, v] : *src) {
      if (v.empty())
        merged.erase(k);  // an empty value counts as unset
      else
        merged[k] = v;
    }
  Reader r(merged);
  Config c;

  if (auto key = r.get("SECRET_KEY")) {
    if (key->size() < 32)
      return core::fail(bad("SECRET_KEY", "must be at least 32 bytes (got " + std::to_string(key->size()) + ")"));
    c.secret_key = *key;
  }
  SENTINEL_TRY(r.url("DATABASE_URL", {"sqlite", "postgresql", "postgres"}, c.database_url, true));
  if (c.database_url.starts_with("sqlite") && !c.database_url.starts_with("sqlite:///"))
    return core::fail(bad("DATABASE_URL", "SQLite URLs look like sqlite:///./data/sentinel.db"));
  // hiredis is built here without TLS: rediss:// would be spoken in
  // plaintext, so it is refused instead of silently downgraded.
  if (auto redis = r.get("REDIS_URL"); redis && lower(redis->substr(0, 9)) == "rediss://")
    return core::fail(bad("REDIS_URL", "rediss:// (TLS) is not supported by this build; use redis:// on a trusted "
                                       "network or a TLS tunnel (e.g. stunnel) to the Redis server"));
  SENTINEL_TRY(r.optional_url("REDIS_URL", {"redis"}, c.redis_url, true));
  SENTINEL_TRY(r.url("PROMETHEUS_URL", {"http", "https"}, c.prometheus_url));
  SENTINEL_TRY(r.integer("PROMETHEUS_TIMEOUT_SEC", 1, 3600, c.prometheus_timeout_sec));
  SENTINEL_TRY(r.integer("PROMETHEUS_MAX_CONCURRENCY", 1, 1024, c.prometheus_max_concurrency));
  r.optional_text("PROMETHEUS_USERNAME", c.prometheus_username);
  r.optional_text("PROMETHEUS_PASSWORD", c.prometheus_password);
  r.optional_text("PROMETHEUS_BEARER_TOKEN", c.prometheus_bearer_token);
  if (c.prometheus_password && !c.prometheus_username)
    return core::fail(bad("PROMETHEUS_USERNAME", "must be set when PROMETHEUS_PASSWORD is"));
  r.optional_text("TELEGRAM_BOT_TOKEN", c.telegram_bot_token);
  r.optional_text("TELEGRAM_CHAT_ID", c.telegram_chat_id);
  SENTINEL_TRY(r.url("TELEGRAM_API_URL", {"http", "https"}, c.telegram_api_url));
  if (r.get("TELEGRAM_MESSAGE_THREAD_ID")) {
    std::int64_t thread = 0;
    SENTINEL_TRY(r.integer("TELEGRAM_MESSAGE_THREAD_ID", 1, INT64_MAX, thread));
    c.telegram_message_thread_id = thread;
  }
  SENTINEL_TRY(r.boolean("TELEGRAM_SILENT_RESOLVED", c.telegram_silent_resolved));
  SENTINEL_TRY(r.optional_url("HTTPS_PROXY", {"http", "https", "socks5", "socks5h"}, c.https_proxy, true));
  r.optional_text("NO_PROXY", c.no_proxy);
  SENTINEL_TRY(r.optional_url("WEBHOOK_URL", {"http", "https"}, c.webhook_url, true));
  r.text("HOST", c.host);
  if (c.host.find_first_of(" \t/") != std::string::npos)
    return core::fail(bad("HOST", "must be an address or host name, got '" + c.host + "'"));
  std::int64_t port = c.port;
  SENTINEL_TRY(r.integer("PORT", 1, 65535, port));
  c.port = static_cast<std::uint16_t>(port);
  SENTINEL_TRY(r.integer("ACCESS_TOKEN_EXPIRE_MINUTES", 1, 525600, c.access_token_expire_minutes));
  SENTINEL_TRY(r.integer("ALERT_CHECK_INTERVAL_SEC", 1, 86400, c.alert_check_interval_sec));
  SENTINEL_TRY(r.integer("GROUP_WAIT_SEC", 0, 3600, c.group_wait_sec));
  SENTINEL_TRY(r.integer("GROUP_INTERVAL_SEC", 1, 86400, c.group_interval_sec));
  SENTINEL_TRY(r.integer("WS_METRICS_INTERVAL_SEC", 1, 3600, c.ws_metrics_interval_sec));
  SENTINEL_TRY(r.integer("METRICS_CACHE_TTL_SEC", 0, 3600, c.metrics_cache_ttl_sec));
  SENTINEL_TRY(r.integer("WS_PING_INTERVAL_SEC", 1, 3600, c.ws_ping_interval_sec));
  if (auto cors = r.get("CORS_ORIGINS")) {
    std::stringstream ss(*cors);
    std::string item;
    while (std::getline(ss, item, ',')) {
      item = trim(item);
      if (item.empty()) continue;
      if (item != "*") {
        auto u = boost::urls::parse_absolute_uri(item);
        if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->host().empty() ||
            (!u->path().empty() && u->path() != "/"))
          return core::fail(bad("CORS_ORIGINS", "'" + item + "' is not an origin like https://app.example.com"));
        if (item.back() == '/') item.pop_back();
      }
      c.cors_origins.push_back(item);
    }
  }
  // The console is served at the root of its origin (its pages call /api/
  // and /assets/ by absolute path), so PUBLIC_URL names an origin only.
  if (auto pub = r.get("PUBLIC_URL")) {
    auto u = boost::urls::parse_absolute_uri(*pub);
    const auto scheme = u ? lower(std::string(u->scheme())) : std::string();
    if (!u || (scheme != "http" && scheme != "https") || u->host().empty() || u->has_userinfo() ||
        u->has_query() || u->has_fragment() || (!u->path().empty() && u->path() != "/"))
      return core::fail(bad("PUBLIC_URL", "must be an http:// or https:// URL with a host and no path, such as "
                                          "https://sentinel.example.com, got '" + *pub + "'"));
    std::string v = *pub;
    if (v.back() == '/') v.pop_back();
    c.public_url = v;
  }
  if (auto email = r.get("FIRST_SUPERUSER_EMAIL")) {
    if (!domain::is_valid_email(*email))
      return core::fail(bad("FIRST_SUPERUSER_EMAIL", "is not a valid email address: '" + *email + "'"));
    c.first_superuser_email = lower(*email);
  }
  r.optional_text("FIRST_SUPERUSER_PASSWORD", c.first_superuser_password);
  if (c.first_superuser_password && c.first_superuser_password->size() < 8)
    return core::fail(bad("FIRST_SUPERUSER_PASSWORD", "must be at least 8 characters"));
  if (c.first_superuser_email.has_value() != c.first_superuser_password.has_value())
    return core::fail(bad(c.first_superuser_email ? "FIRST_SUPERUSER_PASSWORD" : "FIRST_SUPERUSER_EMAIL",
                          "FIRST_SUPERUSER_EMAIL and FIRST_SUPERUSER_PASSWORD must be set together"));
  r.text("LOG_LEVEL", c.log_level);
  c.log_level = lower(c.log_level);
  static const std::vector<std::string> levels = {"trace", "debug", "info",     "warning",
                                                  "warn",  "error", "critical", "off"};
  if (std::find(levels.begin(), levels.end(), c.log_level) == levels.end())
    return core::fail(bad("LOG_LEVEL", "must be one of trace, debug, info, warning, error, critical, off; got '" +
                                           c.log_level + "'"));
  r.text("LOG_FORMAT", c.log_format);
  c.log_format = lower(c.log_format);
  if (c.log_format != "text" && c.log_format != "json")
    return core::fail(bad("LOG_FORMAT", "must be text or json, got '" + c.log_format + "'"));
  SENTINEL_TRY(r.integer("MAX_CONNECTIONS", 16, 1000000, c.max_connections));
  SENTINEL_TRY(r.integer("MAX_CONNECTIONS_PER_CLIENT", 1, 1000000, c.max_connections_per_client));
  SENTINEL_TRY(r.integer("WS_MAX_PER_USER", 1, 100000, c.ws_max_per_user));
  if (auto proxies = r.get("TRUSTED_PROXIES")) {
    std::stringstream ss(*proxies);
    std::string item;
    while (std::getline(ss, item, ',')) {
      item = trim(item);
      if (item.empty()) continue;
      if (!is_cidr(item))
        return core::fail(bad("TRUSTED_PROXIES", "'" + item + "' is not an address or CIDR like 10.0.0.0/8"));
      c.trusted_proxies.push_back(item);
    }
  }
  SENTINEL_TRY(r.integer("QUERY_MAX_BYTES", 1024, std::int64_t{1} << 30, c.query_max_bytes));
  SENTINEL_TRY(r.integer("NOTIFY_MAX_BACKOFF_SEC", 1, 86400, c.notify_max_backoff_sec));
  SENTINEL_TRY(r.integer("LOGIN_HASH_CONCURRENCY", 1, 64, c.login_hash_concurrency));
  if (auto jobs = r.get("DISCOVERY_JOBS")) {
    auto parsed = parse_discovery_jobs(*jobs);
    if (!parsed) return core::fail(parsed.error());
    c.discovery_jobs = std::move(*parsed);
  }
  SENTINEL_TRY(r.integer("DISCOVERY_INTERVAL_SEC", 1, 86400, c.discovery_interval_sec));
  return c;
}

core::Result<std::vector<DiscoveryJob>> parse_discovery_jobs(std::string_view text) {
  std::vector<DiscoveryJob> out;
  std::stringstream ss{std::string(text)};
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = trim(item);
    if (item.empty()) continue;
    DiscoveryJob job;
    job.job = item;
    // The part after the last ':' names the label (job names may hold ':').
    if (const auto colon = item.rfind(':'); colon != std::string::npos) {
      job.job = trim(std::string_view(item).substr(0, colon));
      job.name_label = trim(std::string_view(item).substr(colon + 1));
      if (!domain::is_valid_label_name(*job.name_label))
        return core::fail(bad("DISCOVERY_JOBS", "'" + item + "': the name label after ':' must be a Prometheus label "
                                                "name ([a-zA-Z_][a-zA-Z0-9_]*)"));
    }
    if (job.job.empty() || job.job.size() > 255)
      return core::fail(bad("DISCOVERY_JOBS", "'" + item + "': the job name must be 1 to 255 characters"));
    for (const auto& other : out)
      if (other.job == job.job) return core::fail(bad("DISCOVERY_JOBS", "job '" + job.job + "' is listed twice"));
    out.push_back(std::move(job));
  }
  return out;
}

core::Result<Config> load_from_process(const Settings& flags) {
  Settings dotenv;
  std::ifstream in(".env");
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = parse_dotenv(ss.str());
    if (!parsed) return core::fail(parsed.error());
    dotenv = std::move(*parsed);
  }
  Settings env;
  for (const auto& name : names)
    if (const char* v = std::getenv(name.c_str())) env[name] = v;
  return load(dotenv, env, flags);
}

std::filesystem::path data_dir(const Config& config) {
  constexpr std::string_view prefix = "sqlite:///";
  if (config.database_url.starts_with(prefix)) {
    std::filesystem::path db(config.database_url.substr(prefix.size()));
    if (db != ":memory:" && db.has_parent_path()) return db.parent_path();
    if (db != ":memory:") return ".";
  }
  return "./data";
}

core::Result<void> ensure_secret_key(Config& config, const std::filesystem::path& dir) {
  if (!config.secret_key.empty()) return {};
  const auto file = dir / "secret.key";
  auto fail_with = [&](const std::string& why) {
    return core::fail(bad("SECRET_KEY", "not set, and " + file.string() + " " + why));
  };
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail_with("cannot be created: " + ec.message());
  if (!std::filesystem::exists(file, ec)) {
    if (auto why = publish_new_key(file); !why.empty()) return fail_with(why);
  }
  std::ifstream in(file);
  if (!in) return fail_with("cannot be read");
  std::string key;
  std::getline(in, key);
  key = trim(key);
  if (key.size() < 32)
    return fail_with("holds a key shorter than 32 bytes (" + std::to_string(key.size()) +
                     "); delete it or set SECRET_KEY");
  config.secret_key = key;
  config.secret_key_generated = true;
  return {};
}

std::string describe(const Config& c) {
  std::ostringstream o;
  auto line = [&](std::string_view name, const std::string& value) { o << name << "=" << value << "\n"; };
  auto opt = [](const std::optional<std::string>& v) { return v.value_or(""); };
  auto secret = [](bool set) { return set ? std::string("****") : std::string(); };
  // Unset is not an error: `serve` generates the key at start.
  line("SECRET_KEY", c.secret_key.empty() ? "(unset: kept in " + (data_dir(c) / "secret.key").string() + ")" : "****");
  line("DATABASE_URL", mask_url_password(c.database_url));
  line("REDIS_URL", c.redis_url ? mask_url_password(*c.redis_url) : "");
  line("PROMETHEUS_URL", mask_url_path(c.prometheus_url));
  line("PROMETHEUS_TIMEOUT_SEC", std::to_string(c.prometheus_timeout_sec));
  line("PROMETHEUS_MAX_CONCURRENCY", std::to_string(c.prometheus_max_concurrency));
  line("PROMETHEUS_USERNAME", opt(c.prometheus_username));
  line("PROMETHEUS_PASSWORD", secret(c.prometheus_password.has_value()));
  line("PROMETHEUS_BEARER_TOKEN", secret(c.prometheus_bearer_token.has_value()));
  line("TELEGRAM_BOT_TOKEN", secret(c.telegram_bot_token.has_value()));
  line("TELEGRAM_CHAT_ID", opt(c.telegram_chat_id));
  line("TELEGRAM_API_URL", mask_url_path(c.telegram_api_url));
  line("TELEGRAM_MESSAGE_THREAD_ID",
       c.telegram_message_thread_id ? std::to_string(*c.telegram_message_thread_id) : "");
  line("TELEGRAM_SILENT_RESOLVED", c.telegram_silent_resolved ? "true" : "false");
  line("HTTPS_PROXY", c.https_proxy ? mask_url_path(*c.https_proxy) : "");
  line("NO_PROXY", opt(c.no_proxy));
  line("WEBHOOK_URL", c.webhook_url ? mask_url_path(*c.webhook_url) : "");
  line("HOST", c.host);
  line("PORT", std::to_string(c.port));
  line("ACCESS_TOKEN_EXPIRE_MINUTES", std::to_string(c.access_token_expire_minutes));
  line("ALERT_CHECK_INTERVAL_SEC", std::to_string(c.alert_check_interval_sec));
  line("GROUP_WAIT_SEC", std::to_string(c.group_wait_sec));
  line("GROUP_INTERVAL_SEC", std::to_string(c.group_interval_sec));
  line("WS_METRICS_INTERVAL_SEC", std::to_string(c.ws_metrics_interval_sec));
  line("METRICS_CACHE_TTL_SEC", std::to_string(c.metrics_cache_ttl_sec));
  line("WS_PING_INTERVAL_SEC", std::to_string(c.ws_ping_interval_sec));
  std::string cors;
  for (const auto& origin : c.cors_origins) cors += (cors.empty() ? "" : ",") + origin;
  line("CORS_ORIGINS", cors);
  line("PUBLIC_URL", opt(c.public_url));
  line("FIRST_SUPERUSER_EMAIL", opt(c.first_superuser_email));
  line("FIRST_SUPERUSER_PASSWORD", secret(c.first_superuser_password.has_value()));
  line("LOG_LEVEL", c.log_level);
  line("LOG_FORMAT", c.log_format);
  line("MAX_CONNECTIONS", std::to_string(c.max_connections));
  line("MAX_CONNECTIONS_PER_CLIENT", std::to_string(c.max_connections_per_client));
  line("WS_MAX_PER_USER", std::to_string(c.ws_max_per_user));
  std::string proxies;
  for (const auto& cidr : c.trusted_proxies) proxies += (proxies.empty() ? "" : ",") + cidr;
  line("TRUSTED_PROXIES", proxies);
  line("QUERY_MAX_BYTES", std::to_string(c.query_max_bytes));
  line("NOTIFY_MAX_BACKOFF_SEC", std::to_string(c.notify_max_backoff_sec));
  line("LOGIN_HASH_CONCURRENCY", std::to_string(c.login_hash_concurrency));
  std::string jobs;
  for (const auto& j : c.discovery_jobs)
    jobs += (jobs.empty() ? "" : ",") + j.job + (j.name_label ? ":" + *j.name_label : "");
  line("DISCOVERY_JOBS", jobs);
  line("DISCOVERY_INTERVAL_SEC", std::to_string(c.discovery_interval_sec));
  return o.str();
}

}  // namespace sentinel::config
