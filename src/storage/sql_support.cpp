#include "storage/sql_support.hpp"

#include <soci/postgresql/soci-postgresql.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string_view>

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

std::string_view category_name(soci::soci_error::error_category c) {
  switch (c) {
    case soci::soci_error::connection_error: return "connection_error";
    case soci::soci_error::invalid_statement: return "invalid_statement";
    case soci::soci_error::no_privilege: return "no_privilege";
    case soci::soci_error::no_data: return "no_data";
    case soci::soci_error::constraint_violation: return "constraint_violation";
    case soci::soci_error::unknown_transaction_state: return "unknown_transaction_state";
    case soci::soci_error::system_error: return "system_error";
    case soci::soci_error::unknown: break;
  }
  return "unknown";
}

// The SQL word at `s` (letters, digits, '_', '.'), at most 64 characters.
std::string_view sql_word(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && n < 64 &&
         (std::isalnum(static_cast<unsigned char>(s[n])) != 0 || s[n] == '_' || s[n] == '.'))
    ++n;
  return s.substr(0, n);
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "INSERT INTO users" from soci's context ("while executing \"INSERT INTO
// users (...) VALUES (:e, ...)\" with :e=..."): the statement's verb and
// table only, read from the SQL text (ours, never a value).
std::string statement_of(const soci::soci_error& e) {
  std::string_view all = e.what();
  const std::string message = e.get_error_message();
  if (all.starts_with(message)) all.remove_prefix(message.size());  // the database's text may quote values
  const auto open = all.find("while ");
  if (open == std::string_view::npos) return {};
  const auto quote = all.find('"', open);
  if (quote == std::string_view::npos) return {};
  std::string_view sql = all.substr(quote + 1);
  while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.front())) != 0) sql.remove_prefix(1);
  const std::string verb = upper(sql_word(sql));
  if (verb.empty()) return {};
  std::string out = verb;
  // The table: the word after INTO, FROM, UPDATE or TABLE, when near the start.
  const std::string head = upper(sql.substr(0, 256));
  for (const std::string_view key : {"INTO ", "FROM ", "UPDATE ", "TABLE "}) {
    const auto at = head.find(key);
    if (at == std::string::npos) continue;
    std::string_view rest = sql.substr(at + key.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (const auto table = sql_word(rest); !table.empty()) {
      if (key != "UPDATE ") out += " " + std::string(key.substr(0, key.size() - 1));  // "INSERT INTO t"
      out += " " + std::string(table);
    }
    break;
  }
  return out;
}

}  // namespace

std::string describe_error(const soci::soci_error& e) {
  std::string out = "database error (";
  out += category_name(e.get_error_category());
  if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    const std::string state = pg->sqlstate();
    if (state.size() == 5 && std::all_of(state.begin(), state.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }))
      out += ", SQLSTATE " + state;
  }
  out += ')';
  if (const auto statement = statement_of(e); !statement.empty()) out += " in " + statement;
  return out;
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
