#pragma once
// Secrets at rest (notification channels' tokens, passwords, webhook URLs):
// libsodium's secretbox (XSalsa20-Poly1305) under a key derived from
// SECRET_KEY, a fresh random nonce for every value sealed. A value sealed
// under one SECRET_KEY opens under no other, and a changed byte makes it
// fail to open instead of yielding garbage.
#include <array>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sentinel::crypto {

class SecretBox {
 public:
  // Derives the box key from `secret_key` (any length; Sentinel requires
  // ≥ 32 bytes): BLAKE2b of the secret, then libsodium's KDF with the fixed
  // context "channels", so this key is unrelated to the JWT signing key
  // that is the same SECRET_KEY. Throws std::runtime_error only when
  // libsodium cannot initialise.
  explicit SecretBox(std::string_view secret_key);
  ~SecretBox();
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;

  // "v1:" + base64(nonce ‖ ciphertext ‖ tag). Never fails.
  std::string seal(std::string_view plaintext) const;

  // The plaintext of a seal() of this key. Fails (ErrorKind::internal, a
  // detail without any of the value) when the text is not a sealed value,
  // was sealed under another key, or was altered. Never throws.
  core::Result<std::string> open(std::string_view sealed) const;

 private:
  std::array<unsigned char, 32> key_{};
};

}  // namespace sentinel::crypto
