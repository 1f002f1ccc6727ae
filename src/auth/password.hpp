#pragma once
// Argon2id password hashing through libsodium (crypto_pwhash_str*).
// CPU- and memory-heavy by design: call from the BlockingPool only.
#include <string>
#include <string_view>

namespace sentinel::auth {

// Throws std::runtime_error only when libsodium cannot allocate.
std::string hash_password(std::string_view password);

// Constant-time verification; false for a malformed hash.
bool verify_password(std::string_view hash, std::string_view password);

// Burns the same time as verify_password against a fixed dummy hash, so a
// login for an unknown email takes as long as a wrong password.
void verify_dummy_password(std::string_view password);

// Policy: 8–256 characters. Returns an error message or empty.
std::string password_policy_error(std::string_view password);

}  // namespace sentinel::auth
