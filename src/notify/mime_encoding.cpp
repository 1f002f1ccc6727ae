#include "notify/mime_encoding.hpp"

#include "core/utf8.hpp"

namespace sentinel::notify {

namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";
constexpr std::size_t qp_line = 76;
// 39 bytes are 52 base64 characters: with "=?UTF-8?B?" and "?=" a word of
// 64, so even "Subject: " and a first word stay within 78 characters
// (RFC 2047 allows 75 per word; RFC 5322 asks for lines of 78).
constexpr std::size_t word_bytes = 39;

void append_encoded(std::string& out, unsigned char b) {
  out += '=';
  out += hex_digits[b >> 4];
  out += hex_digits[b & 0xF];
}

bool printable_ascii(std::string_view s) {
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b > 0x7E) return false;
  }
  return true;
}

// One line of text (no line break) as quoted-printable lines joined by soft breaks.
void qp_line_into(std::string& out, std::string_view line) {
  std::size_t length = 0;  // of the output line so far
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto b = static_cast<unsigned char>(line[i]);
    const bool last = i + 1 == line.size();
    const bool blank = b == ' ' || b == '\t';
    const bool plain = (b >= 33 && b <= 126 && b != '=' && !(b == '.' && length == 0)) || (blank && !last);
    std::string piece;
    if (plain)
      piece = static_cast<char>(b);
    else
      append_encoded(piece, b);
    // A soft break "=" takes one column: at most 75 characters of content on a broken line.
    if (length + piece.size() > qp_line - 1 && !(last && length + piece.size() <= qp_line)) {
      out += "=\r\n";
      length = 0;
      if (b == '.') piece = "=2E";  // a '.' now starts a line
    }
    out += piece;
    length += piece.size();
  }
}

}  // namespace

std::string base64(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16) |
                   (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                   static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 2]));
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += rest == 2 ? alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string quoted_printable(std::string_view text) {
  const std::string valid = core::sanitize_utf8(text);
  std::string out;
  out.reserve(valid.size() + valid.size() / 4);
  std::size_t start = 0;
  while (start <= valid.size()) {
    std::size_t end = valid.find('\n', start);
    const bool has_break = end != std::string::npos;
    if (!has_break) end = valid.size();
    std::string_view line(valid.data() + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    qp_line_into(out, line);
    if (!has_break) break;
    out += "\r\n";
    start = end + 1;
  }
  return out;
}

std::string header_text(std::string_view value) {
  std::string out = core::sanitize_utf8(value);
  for (char& c : out) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) c = ' ';
  }
  return out;
}

std::string encode_header_value(std::string_view value, std::string_view separator, std::size_t max_plain) {
  const std::string text = header_text(value);
  if (printable_ascii(text) && text.find("=?") == std::string::npos && text.size() <= max_plain) return text;
  std::string out;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::string_view chunk = core::utf8_prefix(rest, word_bytes);
    if (!out.empty()) out += separator;
    out += "=?UTF-8?B?" + base64(chunk) + "?=";
    rest.remove_prefix(chunk.size());
  }
  return out;
}

}  // namespace sentinel::notify
