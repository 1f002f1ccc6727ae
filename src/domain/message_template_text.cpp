#include "domain/message_template_text.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

#include "core/utf8.hpp"

namespace sentinel::domain::template_detail {

std::size_t rune_count(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

char32_t decode_rune(std::string_view s, std::size_t pos, std::size_t& len) {
  len = core::utf8_sequence_length(s, pos);
  if (len == 0) return 0xFFFD;
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (len == 1) return b0;
  char32_t cp = b0 & (0x7Fu >> len);
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[pos + k]) & 0x3Fu);
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void cap_string(std::string& s) {
  if (s.size() > max_value_bytes) s.resize(core::utf8_prefix(s, max_value_bytes).size());
}

TemplateError error_at(std::string_view text, std::size_t offset, std::string message) {
  offset = std::min(offset, text.size());
  TemplateError e;
  e.offset = offset;
  e.message = std::move(message);
  const std::size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const std::size_t from = (line_start == std::string_view::npos || offset == 0) ? 0 : line_start + 1;
  e.line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(from), '\n'));
  e.column = 1 + rune_count(text.substr(from, offset - from));
  return e;
}

}  // namespace sentinel::domain::template_detail
