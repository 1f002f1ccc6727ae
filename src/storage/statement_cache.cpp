#include "storage/statement_cache.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace sentinel::storage {

// Statements are finalised (and PostgreSQL ones deallocated) here, while
// the session they were prepared on is still open.
StatementCache::~StatementCache() { entries_.clear(); }

void StatementCache::reset_sqlite(soci::statement& st) noexcept {
  // SOCI has no reset of its own; its SQLite backend exposes the handle.
  // (A static_cast: SOCI does not export the backend's type information.)
  auto* lite = static_cast<soci::sqlite3_statement_backend*>(st.get_backend());
  if (lite && lite->stmt_) sqlite_api::sqlite3_reset(lite->stmt_);
}

}  // namespace sentinel::storage
