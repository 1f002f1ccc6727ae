// `sentinel channels rekey`: moving channel secrets to a new SECRET_KEY.
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "app/app.hpp"
#include "app/bootstrap.hpp"
#include "core/time.hpp"
#include "crypto/secret_box.hpp"
#include "domain/audit.hpp"
#include "storage/channel_repository.hpp"

namespace sentinel::app {

namespace {

// The file's first line without surrounding whitespace: a copy of
// data/secret.key, or a file holding the old SECRET_KEY's value.
std::optional<std::string> read_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string key;
  std::getline(in, key);
  const auto first = key.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return std::string();
  const auto last = key.find_last_not_of(" \t\r\n");
  return key.substr(first, last - first + 1);
}

}  // namespace

int channels_rekey(const config::Config& config, const std::string& old_key_file) {
  const auto old_key = read_key_file(old_key_file);
  if (!old_key) {
    std::cerr << "error: --old-secret-key-file: cannot read " << old_key_file << "\n";
    return 2;
  }
  if (old_key->size() < 32) {
    std::cerr << "error: --old-secret-key-file: " << old_key_file << " holds a key shorter than 32 bytes\n";
    return 2;
  }
  auto db = open_database(config, 5);
  const crypto::SecretBox old_box(*old_key), new_box(config.secret_key);
  auto report = storage::rekey_channels(*db, old_box, new_box, domain::AuditActor::cli(), core::system_now());
  if (!report) {
    std::cerr << "error: " << report.error().detail << "\n";
    return 1;
  }
  std::cout << "re-encrypted the secrets of " << report->rekeyed << " channel(s) with the current SECRET_KEY";
  if (report->already_current > 0) std::cout << "; " << report->already_current << " already used it";
  std::cout << "\n";
  return 0;
}

}  // namespace sentinel::app
