#pragma once
// Start-up steps shared by `serve`, `migrate` and the `user` commands.
#include <memory>

#include "config/config.hpp"
#include "storage/database.hpp"

namespace sentinel::app {

// Opens the database, retrying for up to `wait_sec` while it is
// unreachable (a container's database may start after us), then applies
// migrations. Throws on failure after logging one clear line.
std::unique_ptr<storage::Database> open_database(const config::Config& config, int wait_sec);

// FIRST_SUPERUSER_EMAIL/PASSWORD: creates that superuser when no user exists.
void bootstrap_first_superuser(const config::Config& config, storage::Database& db);

}  // namespace sentinel::app
