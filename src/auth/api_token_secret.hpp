#pragma once
// API token secrets: "snt_" + 43 URL-safe base64 characters (32 random
// bytes). Only their SHA-256 is stored, so a database leak leaks no token.
#include <string>
#include <string_view>

namespace sentinel::auth {

inline constexpr std::string_view api_token_prefix = "snt_";

// A new secret from libsodium's CSPRNG.
std::string generate_api_token();

// Lower-case hex SHA-256 of the whole secret (prefix included).
std::string hash_api_token(std::string_view token);

inline bool looks_like_api_token(std::string_view token) { return token.starts_with(api_token_prefix); }

}  // namespace sentinel::auth
