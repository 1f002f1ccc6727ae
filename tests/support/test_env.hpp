#pragma once
// Where the real servers started by scripts/test-env listen (tests only):
// SENTINEL_TEST_<NAME> from the environment, else from the file named by
// SENTINEL_TEST_ENV_FILE that `scripts/test-env start` wrote.
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

namespace sentinel::testing {

inline std::optional<std::string> test_env(const std::string& name) {
  const std::string key = "SENTINEL_TEST_" + name;
  if (const char* v = std::getenv(key.c_str()); v && *v) return std::string(v);
  const char* file = std::getenv("SENTINEL_TEST_ENV_FILE");
  if (!file) return std::nullopt;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(key + "=")) return line.substr(key.size() + 1);
  return std::nullopt;
}

}  // namespace sentinel::testing
