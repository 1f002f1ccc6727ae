#pragma once
// A migrated SQLite database in a temp directory of its own, for the
// alerting tests that need a real store.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "storage/database.hpp"
#include "storage/migrator.hpp"

namespace sentinel::testing {

class SqliteTest : public ::testing::Test {
 protected:
  explicit SqliteTest(std::string name) : name_(std::move(name)) {}
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sentinel-" + name_ + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    db_ = storage::Database::open("sqlite:///" + (dir_ / "test.db").string(), 2);
    storage::migrate(*db_);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string name_;
  std::filesystem::path dir_;
  std::unique_ptr<storage::Database> db_;
};

}  // namespace sentinel::testing
