#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "config/config.hpp"

using namespace sentinel::config;

namespace {

class SecretKey : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sentinel-key-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name()) /
           "data";
    std::filesystem::remove_all(dir_.parent_path());
  }
  void TearDown() override { std::filesystem::remove_all(dir_.parent_path()); }

  std::filesystem::path dir_;
};

bool is_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

TEST_F(SecretKey, GeneratedOnceIntoAPrivateFileAndReused) {
  Config first;
  ASSERT_TRUE(ensure_secret_key(first, dir_));  // also creates the missing folder
  EXPECT_TRUE(first.secret_key_generated);
  EXPECT_EQ(first.secret_key.size(), 64u);
  EXPECT_TRUE(is_hex(first.secret_key));
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "secret.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  Config second;
  ASSERT_TRUE(ensure_secret_key(second, dir_));
  EXPECT_EQ(first.secret_key, second.secret_key);
  // Nothing but the key is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), std::filesystem::directory_iterator()), 1);
}

TEST_F(SecretKey, ExplicitKeyIsKeptAndNoFileIsWritten) {
  Config c;
  c.secret_key = std::string(32, 'e');
  ASSERT_TRUE(ensure_secret_key(c, dir_));
  EXPECT_EQ(c.secret_key, std::string(32, 'e'));
  EXPECT_FALSE(c.secret_key_generated);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "secret.key"));
}

TEST_F(SecretKey, ExistingKeyFileIsUsed) {
  std::filesystem::create_directories(dir_);
  const std::string key(48, 'f');
  std::ofstream(dir_ / "secret.key") << key << "\n";
  Config c;
  ASSERT_TRUE(ensure_secret_key(c, dir_));
  EXPECT_EQ(c.secret_key, key);
}

TEST_F(SecretKey, ShortKeyFileIsAnErrorNamingVariableAndFile) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "secret.key") << "too-short\n";
  Config c;
  auto ok = ensure_secret_key(c, dir_);
  ASSERT_FALSE(ok);
  EXPECT_TRUE(ok.error().detail.starts_with("SECRET_KEY: ")) << ok.error().detail;
  EXPECT_NE(ok.error().detail.find((dir_ / "secret.key").string()), std::string::npos) << ok.error().detail;
  EXPECT_EQ(ok.error().detail.find("too-short"), std::string::npos) << "never echo a key";
  EXPECT_TRUE(c.secret_key.empty());
}

TEST_F(SecretKey, ProcessesStartingTogetherAgreeOnOneKey) {
  // Repeated, because the race window is small.
  for (int round = 0; round < 20; ++round) {
    std::filesystem::remove_all(dir_);
    constexpr std::size_t starters = 8;
    std::vector<Config> configs(starters);
    std::vector<int> ok(starters, 0);  // not vector<bool>: each thread writes its own element
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < starters; ++i)
      threads.emplace_back([&, i] { ok[i] = ensure_secret_key(configs[i], dir_).has_value() ? 1 : 0; });
    for (auto& t : threads) t.join();
    for (std::size_t i = 0; i < starters; ++i) {
      ASSERT_EQ(ok[i], 1) << "round " << round;
      EXPECT_EQ(configs[i].secret_key, configs[0].secret_key) << "round " << round;
      EXPECT_EQ(configs[i].secret_key.size(), 64u);
    }
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), std::filesystem::directory_iterator()), 1);
  }
}
