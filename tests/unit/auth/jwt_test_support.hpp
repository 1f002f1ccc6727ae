#pragma once
// Hand-made tokens for JWT tests: what an attacker or another library could
// send, built without JwtCodec.
#include <jwt.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sentinel::test {

inline std::string base64url(std::string_view in) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned bits = 0, value = 0;
  for (const char c : in) {
    value = (value << 8) | static_cast<unsigned>(static_cast<unsigned char>(c));
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += table[(value >> bits) & 63u];
    }
  }
  if (bits > 0) out += table[(value << (6 - bits)) & 63u];
  return out;
}

// A token whose payload is exactly `claims_json`, signed by libjwt with
// `alg` and `secret`.
inline std::string sign_claims(const std::string& claims_json, const std::string& secret,
                               jwt_alg_t alg = JWT_ALG_HS256) {
  jwt_t* j = nullptr;
  if (jwt_new(&j) != 0) throw std::runtime_error("jwt_new");
  const bool ok = jwt_add_grants_json(j, claims_json.c_str()) == 0 &&
                  jwt_set_alg(j, alg, reinterpret_cast<const unsigned char*>(secret.data()),
                              static_cast<int>(secret.size())) == 0;
  char* s = ok ? jwt_encode_str(j) : nullptr;
  jwt_free(j);
  if (!s) throw std::runtime_error("cannot sign test token: " + claims_json);
  std::string token(s);
  std::free(s);
  return token;
}

// An unsigned token with the given header: "<header>.<payload>.<signature>".
inline std::string unsigned_token(std::string_view header_json, std::string_view claims_json,
                                  std::string_view signature = "") {
  return base64url(header_json) + "." + base64url(claims_json) + "." + std::string(signature);
}

}  // namespace sentinel::test
