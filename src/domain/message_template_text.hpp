#pragma once
// Internal to sentinel_domain: the UTF-8 and source-position helpers that the
// template parser, executor and Go formatting all need.
#include <cstddef>
#include <string>
#include <string_view>

#include "domain/message_template.hpp"

namespace sentinel::domain::template_detail {

// The cap on any string built while executing (printf, print, toUpper, ...),
// so no intermediate value grows past what the output could hold.
inline constexpr std::size_t max_value_bytes = MessageTemplate::max_output_bytes;

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Code points in `s` (ill-formed bytes count one each).
std::size_t rune_count(std::string_view s);

// Decodes the code point at s[pos]; `len` is its length, 0 for an ill-formed byte.
char32_t decode_rune(std::string_view s, std::size_t pos, std::size_t& len);

// Appends `cp` as UTF-8; a surrogate or a value past U+10FFFF becomes U+FFFD.
void append_utf8(std::string& out, char32_t cp);

// Cuts `s` to max_value_bytes on a UTF-8 boundary.
void cap_string(std::string& s);

// A TemplateError at byte `offset` of `text`, with its line and column.
TemplateError error_at(std::string_view text, std::size_t offset, std::string message);

}  // namespace sentinel::domain::template_detail
