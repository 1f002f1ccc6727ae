#pragma once
// Runs each storage test on SQLite (temp file) and on a real PostgreSQL
// (a fresh database on the server scripts/test-env started).
#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "domain/audit.hpp"
#include "storage/database.hpp"
#include "storage/migrator.hpp"
#include "support/test_env.hpp"

namespace sentinel::testing {

inline core::Timestamp fixed_now = core::from_unix(1'800'000'000);
inline core::Timestamp test_clock() { return fixed_now; }

// Who the audit log says made a test's changes.
inline domain::AuditActor actor(std::optional<std::int64_t> user_id = std::nullopt) {
  return domain::AuditActor{user_id, "test@example.com", "password", std::nullopt, "127.0.0.1", "test"};
}

class StorageTest : public ::testing::TestWithParam<storage::Dialect> {
 protected:
  void SetUp() override {
    std::mt19937_64 rng{std::random_device{}()};
    suffix_ = std::to_string(::getpid()) + "_" + std::to_string(rng() % 1000000);
    if (GetParam() == storage::Dialect::sqlite) {
      dir_ = std::filesystem::temp_directory_path() / ("sentinel-storage-" + suffix_);
      url_ = "sqlite:///" + (dir_ / "test.db").string();
    } else {
      auto base = test_env("POSTGRES_URL");
      if (!base) GTEST_SKIP() << "no PostgreSQL (run through ctest, or set SENTINEL_TEST_POSTGRES_URL)";
      base_url_ = *base;
      admin([&](soci::session& sql) { sql << "CREATE DATABASE t_" + suffix_; });
      url_ = base_url_.substr(0, base_url_.rfind('/') + 1) + "t_" + suffix_;
    }
    db_ = storage::Database::open(url_, 4);
    storage::migrate(*db_);
  }

  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    if (!base_url_.empty() && !url_.empty())
      admin([&](soci::session& sql) { sql << "DROP DATABASE IF EXISTS t_" + suffix_ + " WITH (FORCE)"; });
  }

  template <class F>
  void admin(F f) {
    auto db = storage::Database::open(base_url_, 1);
    db->with_session(f);
  }

  storage::Database& db() { return *db_; }
  const std::string& url() const { return url_; }

 private:
  std::string suffix_, url_, base_url_;
  std::filesystem::path dir_;
  std::unique_ptr<storage::Database> db_;
};

inline std::string dialect_name(const ::testing::TestParamInfo<storage::Dialect>& info) {
  return info.param == storage::Dialect::sqlite ? "sqlite" : "postgresql";
}

}  // namespace sentinel::testing
