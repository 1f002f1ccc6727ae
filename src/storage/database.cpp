#include "storage/database.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <vector>

#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace sentinel::storage {

namespace {

// libpq keyword/value strings quote values with single quotes and escape
// backslashes and quotes inside them.
std::string pq_quote(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string postgres_connect_string(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument("DATABASE_URL is not a valid URL");
  const auto& u = *parsed;
  std::string cs = "connect_timeout=5";
  // append() rather than `" k=" + value`: g++ 12 reports a false
  // -Wrestrict on the latter at -O3.
  auto add = [&cs](std::string_view key, std::string_view value) {
    cs.append(" ").append(key).append("=").append(pq_quote(value));
  };
  if (!u.host().empty()) add("host", u.host());
  if (u.has_port()) add("port", u.port());
  std::string db = u.path();
  if (!db.empty() && db.front() == '/') db.erase(0, 1);
  if (!db.empty()) add("dbname", db);
  if (u.has_userinfo()) {
    add("user", u.user());
    if (u.has_password()) add("password", u.password());
  }
  for (auto p : u.params()) add(p.key, p.value);  // sslmode=…
  // Keep dead connections from hanging a request forever.
  cs += " keepalives=1 keepalives_idle=30 keepalives_interval=10 keepalives_count=3";
  return cs;
}

class PooledDatabase final : public Database {
 public:
  PooledDatabase(Dialect dialect, std::string connect, std::size_t size)
      : dialect_(dialect), connect_(std::move(connect)) {
    for (std::size_t i = 0; i < size; ++i) {
      slots_.push_back(Slot{});
      free_.push_back(i);
    }
    // Connect one session now so a wrong URL fails at start, not later.
    auto& first = slots_[0];
    first.session = connect_session();
  }

  Dialect dialect() const override { return dialect_; }

  void run_session(const std::function<void(soci::session&)>& fn) override {
    borrow([&fn](Slot& slot) { fn(*slot.session); });
  }

  void with_statements(const std::function<void(soci::session&, StatementCache&)>& fn) override {
    borrow([this, &fn](Slot& slot) {
      if (!slot.statements) slot.statements = std::make_unique<StatementCache>(*slot.session, dialect_);
      fn(*slot.session, *slot.statements);
    });
  }

  bool ping() override {
    try {
      with_session([](soci::session& sql) {
        int one = 0;
        sql << "SELECT 1", soci::into(one);
      });
      return true;
    } catch (const std::exception& e) {
      spdlog::debug("database ping failed: {}", e.what());
      return false;
    }
  }

  PoolStats pool_stats() override {
    std::lock_guard lock(mutex_);
    PoolStats stats{.size = slots_.size(), .in_use = slots_.size() - free_.size(), .idle = 0};
    // A free slot's session changes only while borrowed, and borrowing
    // takes this lock: reading it here is safe.
    for (const auto i : free_)
      if (slots_[i].session) ++stats.idle;
    return stats;
  }

 private:
  struct Slot {
    std::unique_ptr<soci::session> session;
    // Prepared on `session`: declared after it, so destroyed before it.
    std::unique_ptr<StatementCache> statements;
    std::chrono::steady_clock::time_point last_used{};
  };

  // Closes a slot's connection, its prepared statements first.
  static void drop_session(Slot& slot) {
    slot.statements.reset();
    slot.session.reset();
  }

  template <class F>
  void borrow(const F& fn) {
    const auto index = acquire();
    struct Release {
      PooledDatabase& db;
      std::size_t i;
      ~Release() { db.release(i); }
    } release{*this, index};
    auto& slot = slots_[index];
    ensure_usable(slot);
    try {
      fn(slot);
      slot.last_used = std::chrono::steady_clock::now();
    } catch (const soci::soci_error& e) {
      if (is_connection_failure(e, *slot.session)) {
        // The write may or may not have happened: never retry it here.
        drop_session(slot);
        throw DatabaseUnavailable(std::string("Database unavailable: ") + first_line(e.get_error_message()));
      }
      throw DatabaseError(sql::describe_error(e));
    }
  }

  static std::string first_line(std::string s) {
    if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
    return s;
  }

  bool is_connection_failure(const soci::soci_error& e, soci::session& sql) const {
    if (dialect_ != Dialect::postgresql) return false;
    if (e.get_error_category() == soci::soci_error::connection_error) return true;
    if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
      const auto state = pg->sqlstate();
      if (state.starts_with("08") || state.starts_with("57P")) return true;  // connection exception, shutdown
    }
    return !sql.is_connected();
  }

  std::unique_ptr<soci::session> connect_session() {
    try {
      std::unique_ptr<soci::session> s;
      if (dialect_ == Dialect::sqlite) {
        s = std::make_unique<soci::session>(*soci::factory_sqlite3(), connect_);
        *s << "PRAGMA journal_mode=WAL";
        *s << "PRAGMA synchronous=NORMAL";
        *s << "PRAGMA foreign_keys=ON";
        *s << "PRAGMA busy_timeout=5000";
      } else {
        s = std::make_unique<soci::session>(*soci::factory_postgresql(), connect_);
        *s << "SET TIME ZONE 'UTC'";
        *s << "SET client_min_messages = WARNING";  // no NOTICE noise on stderr
      }
      return s;
    } catch (const soci::soci_error& e) {
      throw DatabaseUnavailable(std::string("Database unavailable: ") + first_line(e.what()));
    }
  }

  // Connects lazily; a PostgreSQL session idle for a while is checked first
  // so that a database restart costs no failed request.
  void ensure_usable(Slot& slot) {
    if (slot.session && dialect_ == Dialect::postgresql &&
        std::chrono::steady_clock::now() - slot.last_used > std::chrono::seconds(2)) {
      try {
        int one = 0;
        *slot.session << "SELECT 1", soci::into(one);
      } catch (const soci::soci_error&) {
        drop_session(slot);
      }
    }
    if (!slot.session) slot.session = connect_session();
  }

  std::size_t acquire() {
    std::unique_lock lock(mutex_);
    if (!available_.wait_for(lock, std::chrono::seconds(30), [&] { return !free_.empty(); }))
      throw DatabaseUnavailable("Database unavailable: no free connection within 30 s");
    const auto i = free_.back();
    free_.pop_back();
    return i;
  }

  void release(std::size_t i) {
    {
      std::lock_guard lock(mutex_);
      free_.push_back(i);
    }
    available_.notify_one();
  }

  Dialect dialect_;
  std::string connect_;
  std::vector<Slot> slots_;
  std::vector<std::size_t> free_;
  std::mutex mutex_;
  std::condition_variable available_;
};

}  // namespace

std::unique_ptr<Database> Database::open(const std::string& url, std::size_t pool_size) {
  if (pool_size == 0) pool_size = 1;
  // SQLite's global memory statistics take a process-wide mutex on every
  // allocation; we never read them. Must run before SQLite initialises.
  static const bool memstatus_off = [] {
    sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);  // SOCI wraps sqlite3.h in sqlite_api
    return true;
  }();
  (void)memstatus_off;
  constexpr std::string_view sqlite_prefix = "sqlite:///";
  if (url.starts_with(sqlite_prefix)) {
    const std::string path = url.substr(sqlite_prefix.size());
    if (path == ":memory:") return std::make_unique<PooledDatabase>(Dialect::sqlite, "db=:memory:", 1);
    const std::filesystem::path p(path);
    if (p.has_parent_path()) {
      std::error_code ec;
      std::filesystem::create_directories(p.parent_path(), ec);
      if (ec) throw DatabaseUnavailable("Database unavailable: cannot create " + p.parent_path().string());
    }
    return std::make_unique<PooledDatabase>(Dialect::sqlite, "db=" + path + " timeout=5", pool_size);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://"))
    return std::make_unique<PooledDatabase>(Dialect::postgresql, postgres_connect_string(url), pool_size);
  throw std::invalid_argument("unsupported DATABASE_URL (expected sqlite:/// or postgresql://)");
}

}  // namespace sentinel::storage
