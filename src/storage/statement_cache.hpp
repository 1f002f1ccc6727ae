#pragma once
// Prepared statements kept with one pooled connection (internal to
// storage/), so that a hot query is parsed and planned once per connection
// instead of on every call: SOCI prepares each `sql << ...` afresh, and
// bench/alerts found SQLite's parser at a fifth of the alert engine's CPU.
// On PostgreSQL SOCI makes them named server-side prepared statements.
//
// A cached statement is a struct that owns its bound variables and the
// soci::statement bound to their addresses, built on first use from the
// connection (and its dialect, for dialect-specific SQL):
//
//   struct TouchRule {
//     long long id = 0;
//     soci::statement st;
//     TouchRule(soci::session& sql, Dialect)
//         : st((sql.prepare << "UPDATE alert_rules SET ... WHERE id = :id", soci::use(id))) {}
//   };
//   auto touch = cache.get<TouchRule>();   // a Use<TouchRule>
//   touch->id = 7;
//   touch->st.execute(true);
//
// Members are initialised in declaration order: the statement comes last.
// The cache lives and dies with its connection (Database drops it before
// the session), so no statement outlives the session it was prepared on.
#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

#include "storage/database.hpp"

namespace soci {
class statement;
}

namespace sentinel::storage {

class StatementCache {
 public:
  StatementCache(soci::session& sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;
  ~StatementCache();

  // A borrowed cached statement. When it goes out of scope an SQLite
  // statement is reset: one left in the middle of its result (a SELECT read
  // with a single `into`, or a loop left early by an exception) would keep
  // its read transaction, and an old snapshot, open on this connection.
  template <class T>
  class Use {
   public:
    Use(T& s, Dialect d) : s_(&s), sqlite_(d == Dialect::sqlite) {}
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    ~Use() {
      if (sqlite_) StatementCache::reset_sqlite(s_->st);
    }
    T* operator->() const { return s_; }
    T& operator*() const { return *s_; }

   private:
    T* s_;
    bool sqlite_;
  };

  // The statement of type T for this connection, prepared on first use.
  template <class T>
  Use<T> get() {
    const std::size_t slot = slot_of<T>();
    if (slot >= entries_.size()) entries_.resize(slot + 1);
    auto& entry = entries_[slot];
    if (!entry) entry = std::make_unique<Holder<T>>(sql_, dialect_);
    return Use<T>(static_cast<Holder<T>&>(*entry).value, dialect_);
  }

 private:
  struct Entry {
    virtual ~Entry() = default;
  };
  template <class T>
  struct Holder final : Entry {
    Holder(soci::session& sql, Dialect d) : value(sql, d) {}
    T value;
  };

  // One index per statement type, shared by every connection's cache.
  static std::size_t next_slot() {
    static std::atomic<std::size_t> n{0};
    return n++;
  }
  template <class T>
  static std::size_t slot_of() {
    static const std::size_t slot = next_slot();
    return slot;
  }

  // Ends an SQLite statement's execution (sqlite3_reset).
  static void reset_sqlite(soci::statement& st) noexcept;

  soci::session& sql_;
  Dialect dialect_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace sentinel::storage
