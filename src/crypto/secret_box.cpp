#include "crypto/secret_box.hpp"

#include <sodium.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace sentinel::crypto {

namespace {

static_assert(crypto_secretbox_KEYBYTES == 32);
static_assert(crypto_kdf_KEYBYTES == 32);

// The format's version: a later change of cipher or layout gets "v2:"
// and old rows stay readable.
constexpr std::string_view prefix = "v1:";
// crypto_kdf's context is exactly 8 bytes; it separates this key from any
// other key a future feature derives from SECRET_KEY.
constexpr char kdf_context[crypto_kdf_CONTEXTBYTES + 1] = "channels";
constexpr std::uint64_t kdf_subkey_id = 1;
constexpr int base64_variant = sodium_base64_VARIANT_ORIGINAL;

void init_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

core::Error cannot_open(std::string_view why) {
  return core::Error::internal("cannot decrypt a stored secret: " + std::string(why));
}

}  // namespace

SecretBox::SecretBox(std::string_view secret_key) {
  init_sodium();
  std::array<unsigned char, crypto_kdf_KEYBYTES> master{};
  crypto_generichash(master.data(), master.size(), reinterpret_cast<const unsigned char*>(secret_key.data()),
                     secret_key.size(), nullptr, 0);
  crypto_kdf_derive_from_key(key_.data(), key_.size(), kdf_subkey_id, kdf_context, master.data());
  sodium_memzero(master.data(), master.size());
}

SecretBox::~SecretBox() { sodium_memzero(key_.data(), key_.size()); }

std::string SecretBox::seal(std::string_view plaintext) const {
  std::vector<unsigned char> box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size());
  unsigned char* nonce = box.data();
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(box.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), nonce,
                        key_.data());
  std::string encoded(sodium_base64_encoded_len(box.size(), base64_variant), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), box.data(), box.size(), base64_variant);
  encoded.resize(encoded.size() - 1);  // the terminating NUL
  return std::string(prefix) + encoded;
}

core::Result<std::string> SecretBox::open(std::string_view sealed) const {
  if (!sealed.starts_with(prefix)) return core::fail(cannot_open("unknown format"));
  sealed.remove_prefix(prefix.size());
  // Nothing after the prefix: libsodium must not get the null of an empty buffer.
  if (sealed.empty()) return core::fail(cannot_open("too short"));
  std::vector<unsigned char> box(sealed.size());  // base64 decodes to fewer bytes
  std::size_t box_len = 0;
  if (sodium_base642bin(box.data(), box.size(), sealed.data(), sealed.size(), nullptr, &box_len, nullptr,
                        base64_variant) != 0)
    return core::fail(cannot_open("not valid base64"));
  if (box_len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return core::fail(cannot_open("too short"));
  const unsigned char* nonce = box.data();
  const unsigned char* cipher = box.data() + crypto_secretbox_NONCEBYTES;
  const std::size_t cipher_len = box_len - crypto_secretbox_NONCEBYTES;
  std::string plain(cipher_len - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), cipher, cipher_len, nonce,
                                 key_.data()) != 0)
    return core::fail(cannot_open("wrong SECRET_KEY or altered data"));
  return plain;
}

}  // namespace sentinel::crypto
