#pragma once
#include <string>
#include <vector>

#include "storage/database.hpp"

namespace sentinel::storage {

// Applies the embedded migrations (migrations/<dialect>/NNNN_name.sql) that
// are not yet recorded in schema_migrations, each in its own transaction, in
// order. Safe to run concurrently from several processes on PostgreSQL
// (an advisory lock serializes them). Returns the names applied.
// Throws on a failing migration (the program must not start half-migrated).
std::vector<std::string> migrate(Database& db);

// Names of all migrations known to this binary for the dialect, in order.
std::vector<std::string> known_migrations(Dialect d);

}  // namespace sentinel::storage
