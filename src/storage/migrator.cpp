#include "storage/migrator.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <set>
#include <span>

#include "core/embedded_file.hpp"
#include "core/time.hpp"
#include "storage/sql_support.hpp"

namespace sentinel::storage::migrations {
std::span<const core::EmbeddedFile> embedded_files();
}

namespace sentinel::storage {

namespace {

// Arbitrary constant: the advisory lock id all Sentinel processes agree on.
constexpr long long migration_lock_id = 7361626;

std::string_view dialect_dir(Dialect d) { return d == Dialect::sqlite ? "sqlite/" : "postgresql/"; }

// Statements are separated by ';' at the end of a line; migrations keep
// semicolons out of string literals. "--" comment lines are dropped.
std::vector<std::string> split_statements(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line.substr(first).starts_with("--")) continue;
    current.append(line);
    current += '\n';
    auto last = line.find_last_not_of(" \t\r");
    if (line[last] == ';') {
      current.erase(current.find_last_of(';'));
      out.push_back(std::move(current));
      current.clear();
    }
  }
  if (current.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(current);
  return out;
}

}  // namespace

std::vector<std::string> known_migrations(Dialect d) {
  std::vector<std::string> names;
  const auto prefix = dialect_dir(d);
  for (const auto& f : migrations::embedded_files())
    if (f.name.starts_with(prefix)) names.emplace_back(f.name.substr(prefix.size()));
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> migrate(Database& db) {
  std::vector<std::string> applied;
  db.with_session([&](soci::session& sql) {
    const bool pg = db.dialect() == Dialect::postgresql;
    if (pg) sql << "SELECT pg_advisory_lock(" << migration_lock_id << ")";
    struct Unlock {
      soci::session& sql;
      bool pg;
      ~Unlock() {
        if (!pg) return;
        try {
          sql << "SELECT pg_advisory_unlock(" << migration_lock_id << ")";
        } catch (const soci::soci_error&) {
          // Connection lost: PostgreSQL releases session locks by itself.
        }
      }
    } unlock{sql, pg};

    sql << "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)";
    std::set<std::string> done;
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT version FROM schema_migrations");
    for (const auto& r : rows) done.insert(r.get<std::string>(0));

    const auto prefix = std::string(dialect_dir(db.dialect()));
    for (const auto& name : known_migrations(db.dialect())) {
      if (done.count(name)) continue;
      const auto text = core::find_embedded(migrations::embedded_files(), prefix + name);
      sql::WriteTransaction tx(sql, db.dialect());
      for (const auto& stmt : split_statements(*text)) sql << stmt;
      const long long now = core::to_unix(core::system_now());
      sql << "INSERT INTO schema_migrations (version, applied_at) VALUES (:v, :t)", soci::use(name), soci::use(now);
      tx.commit();
      applied.push_back(name);
    }
  });
  return applied;
}

}  // namespace sentinel::storage
