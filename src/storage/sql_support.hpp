#pragma once
// Small helpers shared by the repositories (internal to storage/): typed
// reads from soci::row that work whatever integer width each backend
// reports, write transactions, and constraint-violation detection.
#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/time.hpp"
#include "storage/database.hpp"

namespace sentinel::storage {
class StatementCache;
}

namespace sentinel::storage::sql {

std::int64_t get_i64(const soci::row& r, std::size_t i);
std::optional<std::int64_t> get_opt_i64(const soci::row& r, std::size_t i);
double get_double(const soci::row& r, std::size_t i);
std::optional<double> get_opt_double(const soci::row& r, std::size_t i);
std::string get_str(const soci::row& r, std::size_t i);
std::optional<std::string> get_opt_str(const soci::row& r, std::size_t i);
inline bool get_bool(const soci::row& r, std::size_t i) { return get_i64(r, i) != 0; }
inline core::Timestamp get_time(const soci::row& r, std::size_t i) { return core::from_unix(get_i64(r, i)); }
std::optional<core::Timestamp> get_opt_time(const soci::row& r, std::size_t i);

// UNIQUE violated (PostgreSQL SQLSTATE 23505, SQLite "UNIQUE constraint failed").
bool is_unique_violation(const soci::soci_error& e);

// What failed, without a value: "database error (constraint_violation,
// SQLSTATE 23503) in INSERT INTO alert_events". soci's what() quotes the
// bound values ("with :h=\"$argon2id$...\"") and PostgreSQL's message its
// DETAIL ("Key (email)=(...)"): neither may reach a log line or a response.
std::string describe_error(const soci::soci_error& e);

// A write transaction. On SQLite it takes the write lock up front
// (BEGIN IMMEDIATE) so two writers wait for each other through
// busy_timeout instead of failing with "database is locked" on upgrade.
// Rolls back unless commit() was called.
class WriteTransaction {
 public:
  WriteTransaction(soci::session& sql, Dialect dialect);
  // The same, with BEGIN, COMMIT and ROLLBACK prepared once per connection
  // on SQLite (its parser was a visible part of each alert-engine
  // transaction; PostgreSQL parses them server-side anyway).
  WriteTransaction(soci::session& sql, Dialect dialect, StatementCache& cache);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void commit();

 private:
  soci::session& sql_;
  StatementCache* cache_ = nullptr;  // set on SQLite when given
  bool done_ = false;
};

// A value that may be NULL, bound through soci::use with its indicator.
template <class T>
struct Nullable {
  T value{};
  soci::indicator ind = soci::i_null;
  Nullable() = default;
  explicit Nullable(const std::optional<T>& v) : value(v.value_or(T{})), ind(v ? soci::i_ok : soci::i_null) {}
};

inline Nullable<long long> nullable_time(const std::optional<core::Timestamp>& t) {
  return Nullable<long long>(t ? std::optional<long long>(core::to_unix(*t)) : std::nullopt);
}
inline Nullable<long long> nullable_i64(const std::optional<std::int64_t>& v) {
  return Nullable<long long>(v ? std::optional<long long>(*v) : std::nullopt);
}

}  // namespace sentinel::storage::sql
