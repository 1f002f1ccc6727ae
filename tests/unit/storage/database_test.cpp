#include <gtest/gtest.h>
#include <soci/soci.h>

#include <thread>

#include "storage/migrator.hpp"
#include "storage/server_repository.hpp"
#include "storage_fixture.hpp"

using namespace sentinel;
using sentinel::testing::StorageTest;

TEST_P(StorageTest, MigrateTwiceIsANoOp) {
  EXPECT_TRUE(storage::migrate(db()).empty());
  EXPECT_FALSE(storage::known_migrations(db().dialect()).empty());
  int n = 0;
  db().with_session([&](soci::session& sql) { sql << "SELECT COUNT(*) FROM schema_migrations", soci::into(n); });
  EXPECT_EQ(static_cast<std::size_t>(n), storage::known_migrations(db().dialect()).size());
}

TEST_P(StorageTest, PingAnswers) { EXPECT_TRUE(db().ping()); }

TEST_P(StorageTest, ConcurrentWritersThroughThePoolDoNotFail) {
  storage::ServerRepository servers(db(), sentinel::testing::test_clock);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        domain::ServerCreate s;
        s.name = "host-" + std::to_string(t) + "-" + std::to_string(i);
        s.job_name = "node";
        s.instance = "10.0.0.1:9100";
        try {
          if (!servers.create(s)) ++failures;
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(servers.list({std::nullopt, 0, 1000}).size(), 200u);
}

INSTANTIATE_TEST_SUITE_P(Dialects, StorageTest,
                         ::testing::Values(storage::Dialect::sqlite, storage::Dialect::postgresql),
                         sentinel::testing::dialect_name);

TEST(Database, UnreachablePostgresIsDatabaseUnavailableWithoutPassword) {
  try {
    storage::Database::open("postgresql://u:topsecret@127.0.0.1:1/db", 1);
    FAIL() << "expected DatabaseUnavailable";
  } catch (const storage::DatabaseUnavailable& e) {
    EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos) << e.what();
  }
}

TEST(Database, UnsupportedUrlIsRejected) {
  EXPECT_THROW(storage::Database::open("mysql://x/y", 1), std::invalid_argument);
}
