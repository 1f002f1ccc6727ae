#include "core/utf8.hpp"

namespace sentinel::core {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

unsigned char byte_at(std::string_view s, std::size_t i) { return static_cast<unsigned char>(s[i]); }

bool in(unsigned char b, unsigned char lo, unsigned char hi) { return b >= lo && b <= hi; }

}  // namespace

// The table of well-formed sequences from the Unicode Standard (Table 3-7):
// the second byte's range depends on the lead byte, which is what rules out
// overlong forms, surrogates and code points past U+10FFFF.
std::size_t utf8_sequence_length(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return 0;
  const unsigned char b0 = byte_at(s, pos);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (in(b0, 0xC2, 0xDF)) {
    len = 2;
  } else if (in(b0, 0xE0, 0xEF)) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (in(b0, 0xF0, 0xF4)) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (pos + len > s.size()) return 0;
  if (!in(byte_at(s, pos + 1), lo, hi)) return 0;
  for (std::size_t i = 2; i < len; ++i)
    if (!in(byte_at(s, pos + i), 0x80, 0xBF)) return 0;
  return len;
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      out += replacement;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t end = max_bytes;
  // Step back over continuation bytes to the start of the sequence that straddles the cut.
  while (end > 0 && (byte_at(s, end) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

}  // namespace sentinel::core
