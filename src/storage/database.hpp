#pragma once
// The database: a SOCI connection pool over SQLite (embedded default) or
// PostgreSQL, chosen by DATABASE_URL. Repositories borrow sessions from it.
// All calls block: run them on the BlockingPool, never on an I/O thread.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <stdexcept>
#include <string>

#include "core/error.hpp"

namespace soci {
class session;
}

namespace sentinel::storage {

enum class Dialect { sqlite, postgresql };

class StatementCache;  // storage/statement_cache.hpp

// The connection pool right now, for sentinel_db_pool_* metrics. A slot
// never connected yet (connections open lazily) is neither in use nor idle.
struct PoolStats {
  std::size_t size = 0;    // slots: the most connections the pool opens
  std::size_t in_use = 0;  // borrowed by a with_session() call
  std::size_t idle = 0;    // connected and waiting in the pool
};

// Thrown when the database cannot be reached or a connection broke; the HTTP
// layer maps it to 503 with what() as detail ("Database unavailable: …").
// Any other SQL failure is a bug and surfaces as DatabaseError (→ 500, logged).
class DatabaseUnavailable : public core::DependencyUnavailable {
 public:
  using core::DependencyUnavailable::DependencyUnavailable;
};

// An SQL failure that escaped a with_session() callback (a bug, or a
// constraint a repository does not expect). what() names the category,
// SQLSTATE and statement ("database error (constraint_violation, SQLSTATE
// 23503) in INSERT INTO alert_events") and never a bound value: soci's own
// message quotes them, and it is logged.
class DatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Database {
 public:
  // url: "sqlite:///./data/sentinel.db", "sqlite:///:memory:" (tests),
  // "postgresql://user:pass@host:5432/db". Creates the SQLite file's folder.
  // Throws DatabaseUnavailable when the first connection fails and
  // std::invalid_argument on an unsupported URL.
  static std::unique_ptr<Database> open(const std::string& url, std::size_t pool_size);
  virtual ~Database() = default;

  virtual Dialect dialect() const = 0;

  // Borrows a pooled session for the duration of `fn` and returns what `fn`
  // returns. A broken connection is reconnected once; if that fails
  // DatabaseUnavailable is thrown.
  template <class Fn>
  std::invoke_result_t<Fn&, soci::session&> with_session(Fn&& fn) {
    using R = std::invoke_result_t<Fn&, soci::session&>;
    if constexpr (std::is_void_v<R>) {
      run_session(fn);
    } else {
      std::optional<R> result;
      run_session([&](soci::session& sql) { result.emplace(fn(sql)); });
      return std::move(*result);
    }
  }

  // Like with_session, with the connection's prepared statements for hot
  // queries (StatementCache): kept as long as the connection, dropped with it.
  virtual void with_statements(const std::function<void(soci::session&, StatementCache&)>& fn) = 0;

  // Cheap round trip ("SELECT 1"); false when unreachable. Never throws.
  virtual bool ping() = 0;

  // Takes the pool's lock only, never waits for a connection. Never throws.
  virtual PoolStats pool_stats() = 0;

 protected:
  // with_session's work: borrow, run, return the session (reconnecting once).
  virtual void run_session(const std::function<void(soci::session&)>& fn) = 0;
};

}  // namespace sentinel::storage
