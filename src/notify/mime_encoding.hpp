#pragma once
// The encodings an email (and an HTTP header with text in it) needs: base64,
// quoted-printable bodies (RFC 2045 §6.7: CRLF lines of at most 76
// characters, so no line ever nears SMTP's 998), and RFC 2047 encoded-words
// for header values that are not plain ASCII.
#include <cstddef>
#include <string>
#include <string_view>

namespace sentinel::notify {

// Standard base64 with padding, no line breaks.
std::string base64(std::string_view bytes);

// `text` (lines ending "\n" or "\r\n") as quoted-printable with CRLF line
// ends: '=', bytes outside printable ASCII and a blank before a line end
// encoded, a '.' starting a line encoded too (some SMTP paths mishandle it),
// soft line breaks keeping every line at most 76 characters. Ill-formed
// UTF-8 is replaced first.
std::string quoted_printable(std::string_view text);

// `value` with every control character (CR and LF included: a header must
// stay one header) replaced by a space, and ill-formed UTF-8 replaced.
std::string header_text(std::string_view value);

// A header value fit for the wire: header_text(value) unchanged when it is
// printable ASCII, holds no "=?" and is at most `max_plain` long; otherwise
// RFC 2047 encoded-words (=?UTF-8?B?…?=, each at most 64 characters, cut
// between characters) joined by `separator`: "\r\n " folds an email header,
// " " keeps an HTTP header on one line.
std::string encode_header_value(std::string_view value, std::string_view separator = "\r\n ",
                                std::size_t max_plain = 900);

}  // namespace sentinel::notify
