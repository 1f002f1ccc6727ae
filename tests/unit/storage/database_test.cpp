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
          if (!servers.create(s, sentinel::testing::actor())) ++failures;
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(servers.list({std::nullopt, 0, 1000}).size(), 200u);
}

// An SQL failure that escapes a repository is logged (dispatcher, alert
// engine): soci's what() quotes every bound value, a password hash included.
TEST_P(StorageTest, AnEscapingSqlErrorNamesTheStatementNotItsValues) {
  const std::string secret_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0LXNhbHQ$TOPSECRETHASHVALUE";
  db().with_session([](soci::session& sql) { sql << "CREATE TABLE leak_probe (email TEXT UNIQUE, hash TEXT)"; });
  auto insert = [&] {
    db().with_session([&](soci::session& sql) {
      const std::string email = "someone@example.com";
      sql << "INSERT INTO leak_probe (email, hash) VALUES (:e, :h)", soci::use(email), soci::use(secret_hash);
    });
  };
  insert();
  try {
    insert();  // UNIQUE(email) violated
    FAIL() << "expected DatabaseError";
  } catch (const storage::DatabaseError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find("TOPSECRETHASHVALUE"), std::string::npos) << what;
    EXPECT_EQ(what.find("someone@example.com"), std::string::npos) << what;
    EXPECT_NE(what.find("INSERT INTO leak_probe"), std::string::npos) << what;
    EXPECT_TRUE(what.starts_with("database error (")) << what;
  }
  // The connection is still usable.
  EXPECT_TRUE(db().ping());
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
