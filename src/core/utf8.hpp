#pragma once
// UTF-8 helpers for text that leaves the process: Telegram rejects a request
// whose strings are not valid UTF-8 ("strings must be encoded in UTF-8"),
// webhook receivers and JSON parsers choke on it, and Prometheus's lexer
// refuses it in a query. Label values and datasource bodies come from
// outside, so nothing guarantees their encoding.
#include <cstddef>
#include <string>
#include <string_view>

namespace sentinel::core {

// Length (1..4) of the well-formed UTF-8 sequence starting at s[pos], or 0 when
// the bytes there are not one (stray continuation byte, overlong form,
// surrogate, beyond U+10FFFF, cut short by the end of `s`).
std::size_t utf8_sequence_length(std::string_view s, std::size_t pos);

// `s` with every ill-formed byte replaced by U+FFFD; valid text is unchanged.
std::string sanitize_utf8(std::string_view s);

// `s` cut to at most `max_bytes` bytes without splitting a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

}  // namespace sentinel::core
