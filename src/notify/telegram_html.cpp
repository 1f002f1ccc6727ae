#include "notify/telegram_html.hpp"

#include <cstdint>
#include <optional>
#include <vector>

#include "core/utf8.hpp"

namespace sentinel::notify {

namespace {

constexpr std::string_view ellipsis = "\xE2\x80\xA6";  // U+2026, one UTF-16 unit

enum class TokenKind { text, open_tag, close_tag };

// One unit of HTML the cut may fall between: a tag, an entity, or one
// character (UTF-8 sequence).
struct Token {
  TokenKind kind = TokenKind::text;
  std::size_t end = 0;    // one past the token's last byte
  std::size_t units = 0;  // visible UTF-16 code units
  std::string name;       // tags: lower-cased name
};

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Index one past the '>' closing the tag that starts at `pos` ('<'); a '>'
// inside a quoted attribute value does not close it. nullopt when another '<'
// or the end comes first: then the '<' was text, not a tag.
std::optional<std::size_t> tag_end(std::string_view s, std::size_t pos) {
  char quote = 0;
  for (std::size_t i = pos + 1; i < s.size(); ++i) {
    const char c = s[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i + 1;
    } else if (c == '<') {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<Token> tag_token(std::string_view s, std::size_t pos) {
  const auto end = tag_end(s, pos);
  if (!end) return std::nullopt;
  Token t;
  std::size_t i = pos + 1;
  t.kind = TokenKind::open_tag;
  if (i < *end && s[i] == '/') {
    t.kind = TokenKind::close_tag;
    ++i;
  }
  if (i >= *end || !is_alpha(s[i])) return std::nullopt;  // "< b>", "<>", "<1": text
  while (i < *end && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-')) t.name += lower(s[i++]);
  t.end = *end;
  return t;
}

// "&amp;", "&#233;", "&#x1F525;": the token and the units of the character it
// encodes. nullopt when `pos` starts no entity (a bare '&').
std::optional<Token> entity_token(std::string_view s, std::size_t pos) {
  constexpr std::size_t max_body = 10;  // "&#x10FFFF;" and every named entity fit
  std::size_t i = pos + 1;
  std::uint32_t code_point = 0;
  if (i < s.size() && s[i] == '#') {
    ++i;
    const bool hex = i < s.size() && (s[i] == 'x' || s[i] == 'X');
    if (hex) ++i;
    const std::size_t digits = i;
    while (i < s.size() && i - digits < 8 && (hex ? is_hex(s[i]) : is_digit(s[i]))) {
      const char c = s[i++];
      const std::uint32_t d = is_digit(c) ? static_cast<std::uint32_t>(c - '0')
                                          : static_cast<std::uint32_t>(lower(c) - 'a' + 10);
      code_point = code_point * (hex ? 16u : 10u) + d;
    }
    if (i == digits) return std::nullopt;
  } else {
    const std::size_t start = i;
    while (i < s.size() && i - start < max_body && (is_alpha(s[i]) || is_digit(s[i]))) ++i;
    if (i == start) return std::nullopt;
  }
  if (i >= s.size() || s[i] != ';') return std::nullopt;
  Token t;
  t.end = i + 1;
  t.units = (code_point > 0xFFFF && code_point <= 0x10FFFF) ? 2 : 1;
  return t;
}

Token next_token(std::string_view s, std::size_t pos) {
  if (s[pos] == '<') {
    if (auto t = tag_token(s, pos)) return std::move(*t);
  } else if (s[pos] == '&') {
    if (auto t = entity_token(s, pos)) return std::move(*t);
  }
  Token t;
  const std::size_t n = core::utf8_sequence_length(s, pos);
  t.end = pos + (n == 0 ? 1 : n);
  t.units = n == 4 ? 2 : 1;  // 4-byte sequences are the code points above U+FFFF: a surrogate pair
  return t;
}

}  // namespace

std::string html_escape(std::string_view text) {
  const std::string valid = core::sanitize_utf8(text);
  std::string out;
  out.reserve(valid.size() + valid.size() / 8);
  for (const char c : valid) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::size_t telegram_text_length(std::string_view html) {
  std::size_t units = 0;
  for (std::size_t pos = 0; pos < html.size();) {
    const Token t = next_token(html, pos);
    units += t.units;
    pos = t.end;
  }
  return units;
}

std::string truncate_telegram_html(std::string_view html, std::size_t limit, std::size_t max_bytes) {
  if (limit == 0) return {};
  if (html.size() <= max_bytes && telegram_text_length(html) <= limit) return std::string(html);

  const std::size_t budget = limit - 1;  // one unit stays free for the "…"
  std::vector<std::string> open;         // elements open at the scan position
  std::size_t closers = 0;               // bytes of "</name>" for each of `open`
  std::size_t cut = 0;                   // bytes of `html` kept
  std::size_t kept_open = 0;             // elements open at `cut`: always the first ones of `open`,
                                         // since only opening tags are read between two cuts
  std::size_t units = 0;
  const auto fits = [&](const Token& t, std::size_t extra_units) {
    return units + extra_units <= budget && t.end + ellipsis.size() + closers <= max_bytes;
  };
  for (std::size_t pos = 0; pos < html.size();) {
    Token t = next_token(html, pos);
    if (t.kind == TokenKind::open_tag) {
      // Not kept yet: an element with none of its content before the cut is dropped whole.
      closers += t.name.size() + 3;
      open.push_back(std::move(t.name));
    } else if (t.kind == TokenKind::close_tag) {
      std::size_t depth = open.size();  // a stray end tag (ill-formed input) closes nothing
      while (depth > 0 && open[depth - 1] != t.name) --depth;
      const std::size_t remaining = depth > 0 ? depth - 1 : open.size();
      std::size_t closers_after = closers;
      for (std::size_t i = remaining; i < open.size(); ++i) closers_after -= open[i].size() + 3;
      if (t.end + ellipsis.size() + closers_after > max_bytes) break;
      closers = closers_after;
      open.resize(remaining);
      cut = t.end;
      kept_open = open.size();
    } else {
      if (!fits(t, t.units)) break;
      units += t.units;
      cut = t.end;
      kept_open = open.size();
    }
    pos = t.end;
  }

  std::string out(html.substr(0, cut));
  out += ellipsis;
  for (std::size_t i = kept_open; i > 0; --i) {
    out += "</";
    out += open[i - 1];
    out += '>';
  }
  return out;
}

}  // namespace sentinel::notify
