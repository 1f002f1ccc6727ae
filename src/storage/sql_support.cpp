#include "storage/sql_support.hpp"

#include <soci/postgresql/soci-postgresql.h>

#include <stdexcept>

#include "storage/statement_cache.hpp"

namespace sentinel::storage::sql {

std::optional<std::int64_t> get_opt_i64(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_integer: return r.get<int>(i);
    case soci::dt_long_long: return static_cast<std::int64_t>(r.get<long long>(i));
    case soci::dt_unsigned_long_long: return static_cast<std::int64_t>(r.get<unsigned long long>(i));
    case soci::dt_double: return static_cast<std::int64_t>(r.get<double>(i));
    case soci::dt_string: return std::stoll(r.get<std::string>(i));
    default: throw std::runtime_error("unexpected column type for an integer");
  }
}

std::int64_t get_i64(const soci::row& r, std::size_t i) { return get_opt_i64(r, i).value_or(0); }

std::optional<double> get_opt_double(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_double: return r.get<double>(i);
    case soci::dt_integer: return r.get<int>(i);
    case soci::dt_long_long: return static_cast<double>(r.get<long long>(i));
    case soci::dt_unsigned_long_long: return static_cast<double>(r.get<unsigned long long>(i));
    case soci::dt_string: return std::stod(r.get<std::string>(i));
    default: throw std::runtime_error("unexpected column type for a number");
  }
}

double get_double(const soci::row& r, std::size_t i) { return get_opt_double(r, i).value_or(0.0); }

std::optional<std::string> get_opt_str(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  return r.get<std::string>(i);
}

std::string get_str(const soci::row& r, std::size_t i) { return get_opt_str(r, i).value_or(std::string()); }

std::optional<core::Timestamp> get_opt_time(const soci::row& r, std::size_t i) {
  auto v = get_opt_i64(r, i);
  if (!v) return std::nullopt;
  return core::from_unix(*v);
}

bool is_unique_violation(const soci::soci_error& e) {
  if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) return pg->sqlstate() == "23505";
  return std::string_view(e.what()).find("UNIQUE constraint failed") != std::string_view::npos;
}

namespace {

// Transaction control, prepared once per SQLite connection.
struct BeginImmediate {
  soci::statement st;
  BeginImmediate(soci::session& sql, Dialect) : st((sql.prepare << "BEGIN IMMEDIATE")) {}
};
struct Commit {
  soci::statement st;
  Commit(soci::session& sql, Dialect) : st((sql.prepare << "COMMIT")) {}
};
struct Rollback {
  soci::statement st;
  Rollback(soci::session& sql, Dialect) : st((sql.prepare << "ROLLBACK")) {}
};

}  // namespace

WriteTransaction::WriteTransaction(soci::session& sql, Dialect dialect, StatementCache& cache) : sql_(sql) {
  if (dialect != Dialect::sqlite) {
    sql_ << "BEGIN";
    return;
  }
  cache.get<BeginImmediate>()->st.execute(true);
  cache_ = &cache;
}

WriteTransaction::WriteTransaction(soci::session& sql, Dialect dialect) : sql_(sql) {
  if (dialect == Dialect::sqlite)
    sql_ << "BEGIN IMMEDIATE";
  else
    sql_ << "BEGIN";
}

WriteTransaction::~WriteTransaction() {
  if (done_) return;
  try {
    if (cache_)
      cache_->get<Rollback>()->st.execute(true);
    else
      sql_ << "ROLLBACK";
  } catch (const soci::soci_error&) {
    // The connection is already broken; the database discards the
    // transaction itself and the pool reconnects.
  }
}

void WriteTransaction::commit() {
  if (cache_)
    cache_->get<Commit>()->st.execute(true);
  else
    sql_ << "COMMIT";
  done_ = true;
}

}  // namespace sentinel::storage::sql
