#pragma once
// Sentinel's configuration (product.md §2): environment, then `.env` in the
// working directory, then command-line flags; the real environment wins over
// `.env`, flags win over both. A bad value is an error naming the variable;
// the program never starts half-configured.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sentinel::config {

// One entry of DISCOVERY_JOBS: a Prometheus job whose active targets are
// kept registered as servers, named by `name_label` when given.
struct DiscoveryJob {
  std::string job;
  std::optional<std::string> name_label;

  bool operator==(const DiscoveryJob&) const = default;
};

struct Config {
  std::string secret_key;             // ≥ 32 bytes; generated into data/secret.key when unset
  bool secret_key_generated = false;  // true when it came from data/secret.key
  std::string database_url = "sqlite:///./data/sentinel.db";
  std::optional<std::string> redis_url;
  std::string prometheus_url = "http://localhost:9090";
  std::int64_t prometheus_timeout_sec = 10;
  std::int64_t prometheus_max_concurrency = 16;
  std::optional<std::string> prometheus_username;
  std::optional<std::string> prometheus_password;
  std::optional<std::string> prometheus_bearer_token;
  std::optional<std::string> telegram_bot_token;
  std::optional<std::string> telegram_chat_id;
  std::string telegram_api_url = "https://api.telegram.org";
  std::optional<std::int64_t> telegram_message_thread_id;
  bool telegram_silent_resolved = false;
  std::optional<std::string> https_proxy;
  std::optional<std::string> no_proxy;
  std::optional<std::string> webhook_url;
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;
  std::int64_t access_token_expire_minutes = 60;
  std::int64_t alert_check_interval_sec = 60;
  // Notification grouping (product.md §9), for rules whose own value is null:
  // a rule's notifications firing within group_wait_sec go out as one
  // message per channel; later changes of the group at most every
  // group_interval_sec.
  std::int64_t group_wait_sec = 30;
  std::int64_t group_interval_sec = 300;
  std::int64_t ws_metrics_interval_sec = 5;
  std::int64_t metrics_cache_ttl_sec = 1;   // summaries reused this long by every caller; 0 = off
  std::int64_t ws_ping_interval_sec = 15;  // WebSocket keep-alive; a peer silent for two periods is dropped
  std::vector<std::string> cors_origins;  // empty = no CORS headers
  // Where people reach the console (http(s)://host[:port], no path), for
  // links in notifications; its ws(s):// origin is also allowed to the
  // console's WebSockets by the Content-Security-Policy. Unset: links are
  // not made, and the policy relies on 'self'.
  std::optional<std::string> public_url;
  std::optional<std::string> first_superuser_email;
  std::optional<std::string> first_superuser_password;
  std::string log_level = "info";  // trace, debug, info, warn, error, critical, off
  std::string log_format = "text";  // text | json
  // Limits and sessions (product.md §7).
  std::int64_t max_connections = 10000;           // past it a new connection is closed at once
  std::int64_t max_connections_per_client = 256;  // per client address (IPv6: per /64)
  std::int64_t ws_max_per_user = 64;              // past it the new WebSocket is closed with 4429
  std::vector<std::string> trusted_proxies;       // CIDRs whose X-Forwarded-For is believed
  std::int64_t query_max_bytes = 8 * 1024 * 1024;  // ad-hoc query answers above → 422
  std::int64_t notify_max_backoff_sec = 3600;     // cap on retry delays and a target's Retry-After
  std::int64_t login_hash_concurrency = 2;        // password hashes at once; a login past the queue → 429
  // Servers from Prometheus (product.md §10): "job[:name_label],…"; empty = off.
  std::vector<DiscoveryJob> discovery_jobs;
  std::int64_t discovery_interval_sec = 60;
};

// Raw name → value pairs from one source.
using Settings = std::map<std::string, std::string>;

// Parses the contents of a `.env` file: KEY=VALUE lines, `#` comments, blank
// lines, optional `export ` prefix, single (literal) or double quotes (with
// the escapes \n \t \" and backslash-backslash) around values, ` #` inline comments. A malformed line is an
// error ".env line N: ...".
core::Result<Settings> parse_dotenv(std::string_view contents);

// Merges dotenv < env < flags (real environment wins over .env, flags win
// over both), then parses and validates every variable. An empty value counts as
// unset. Errors: core::Error{invalid} whose `detail` is one line such as
//   "PORT: must be an integer between 1 and 65535, got 'abc'".
// SECRET_KEY may be empty here; see ensure_secret_key.
core::Result<Config> load(const Settings& dotenv, const Settings& env, const Settings& flags);

// Convenience for main(): reads ./.env (if present) and the process
// environment (only the variable names above), then calls load().
core::Result<Config> load_from_process(const Settings& flags);

// When config.secret_key is empty: reads `<data_dir>/secret.key`, or
// creates it (and the folder) with 32 random bytes as 64 hex characters,
// mode 0600; safe when several processes start together. Sets
// secret_key_generated. Errors name SECRET_KEY and the file (also when the
// file holds fewer than 32 bytes).
core::Result<void> ensure_secret_key(Config& config, const std::filesystem::path& data_dir);

// Folder for SQLite data and secret.key: the SQLite database's folder when
// DATABASE_URL is sqlite, else "./data".
std::filesystem::path data_dir(const Config& config);

// "NAME=value" lines for `sentinel check-config`, every variable, secrets
// (SECRET_KEY, passwords in URLs, tokens) masked as "****".
std::string describe(const Config& config);

// DISCOVERY_JOBS: comma-separated "job" or "job:name_label" entries (the
// part after the last ':' is the label). Errors name DISCOVERY_JOBS: a bad
// label name, an empty job, a job listed twice.
core::Result<std::vector<DiscoveryJob>> parse_discovery_jobs(std::string_view text);

// The variable names Sentinel reads (for docs and tests).
const std::vector<std::string>& variable_names();

}  // namespace sentinel::config
