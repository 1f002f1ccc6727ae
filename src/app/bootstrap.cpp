#include "app/bootstrap.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "auth/password.hpp"
#include "core/time.hpp"
#include "storage/migrator.hpp"
#include "storage/user_repository.hpp"

namespace sentinel::app {

std::unique_ptr<storage::Database> open_database(const config::Config& config, int wait_sec) {
  const bool sqlite = config.database_url.starts_with("sqlite");
  // SQLite serializes writers; a few connections serve concurrent readers.
  const std::size_t pool_size = sqlite ? 4 : std::clamp<std::size_t>(std::thread::hardware_concurrency() * 2, 4, 16);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_sec);
  for (int attempt = 1;; ++attempt) {
    try {
      auto db = storage::Database::open(config.database_url, pool_size);
      const auto applied = storage::migrate(*db);
      for (const auto& name : applied) spdlog::info("applied migration {}", name);
      return db;
    } catch (const storage::DatabaseUnavailable& e) {
      if (std::chrono::steady_clock::now() >= deadline) throw;
      spdlog::warn("database not reachable yet (attempt {}): {}", attempt, e.what());
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

void bootstrap_first_superuser(const config::Config& config, storage::Database& db) {
  if (!config.first_superuser_email || !config.first_superuser_password) return;
  storage::UserRepository users(db, core::system_now);
  if (users.count() > 0) return;
  auto created = users.create(*config.first_superuser_email, auth::hash_password(*config.first_superuser_password),
                              true, domain::Role::admin, domain::AuditActor::cli());
  if (created)
    spdlog::info("created first superuser {}", created->email);
  else if (created.error().kind != core::ErrorKind::conflict)  // another process won the race
    spdlog::error("could not create first superuser: {}", created.error().detail);
}

}  // namespace sentinel::app
