#include "domain/label_fingerprint.hpp"

#include <cstdint>
#include <string_view>

#include "core/number_format.hpp"

namespace sentinel::domain {

std::string label_fingerprint(const std::map<std::string, std::string>& labels) {
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a 64 offset basis
  auto add = [&h](std::string_view bytes) {
    for (const char c : bytes) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ULL;  // FNV-1a 64 prime
    }
  };
  constexpr std::string_view separator = "\xFF";  // a byte no UTF-8 text contains
  for (const auto& [name, value] : labels) {  // std::map: already in name order
    add(name);
    add(separator);
    add(value);
    add(separator);
  }
  return core::format_hex64(h);
}

}  // namespace sentinel::domain
