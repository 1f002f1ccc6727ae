#include "auth/api_token_secret.hpp"

#include <sodium.h>

#include <array>

namespace sentinel::auth {

std::string generate_api_token() {
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), raw.size());
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string encoded(sodium_base64_encoded_len(raw.size(), variant), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), raw.data(), raw.size(), variant);
  encoded.resize(std::char_traits<char>::length(encoded.c_str()));
  sodium_memzero(raw.data(), raw.size());
  return std::string(api_token_prefix) + encoded;
}

std::string hash_api_token(std::string_view token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()), token.size());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

}  // namespace sentinel::auth
