#include "auth/password.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

namespace sentinel::auth {

namespace {

// OWASP's Argon2id setting m = 19 MiB, t = 2, p = 1: as strong as libsodium's
// "interactive" 64 MiB / t = 2 by OWASP's reckoning, but a quarter of the
// memory, so a login does not push a process past its 64 MB budget.
// Hashes store their own parameters: older 64 MiB hashes still verify.
constexpr unsigned long long argon2_opslimit = 2;
constexpr std::size_t argon2_memlimit = 19 * 1024 * 1024;

// How many Argon2id runs happen at once (memory: 19 MiB each) is decided
// by the caller: the server hashes logins on auth::HashPool
// (LOGIN_HASH_CONCURRENCY threads), not on the shared blocking pool.

void init_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  });
}

// Hash of a random password, computed once, so that verifying a login
// for an unknown email costs one full Argon2id run like a real check.
const std::string& dummy_hash() {
  static const std::string hash = [] {
    unsigned char random[16];
    randombytes_buf(random, sizeof random);
    return hash_password(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
  }();
  return hash;
}

}  // namespace

std::string hash_password(std::string_view password) {
  init_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), argon2_opslimit, argon2_memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("password hashing ran out of memory");
  return out;
}

bool verify_password(std::string_view hash, std::string_view password) {
  init_sodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string terminated(hash);  // libsodium wants a C string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void verify_dummy_password(std::string_view password) {
  init_sodium();
  (void)verify_password(dummy_hash(), password);
}

std::string password_policy_error(std::string_view password) {
  if (password.size() < 8) return "must be at least 8 characters";
  if (password.size() > 256) return "must be at most 256 characters";
  return {};
}

}  // namespace sentinel::auth
