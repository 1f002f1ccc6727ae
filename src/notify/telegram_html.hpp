#pragma once
// Telegram's HTML parse mode: escaping, measuring and cutting.
//
// Telegram limits a message to 4096 characters "after entities parsing": the
// visible text, with tags removed and &amp; counted as the one character it
// stands for, measured in UTF-16 code units (an emoji outside the BMP counts
// 2). That is what telegram_text_length() measures. UTF-16 units are never
// fewer than code points, so the measure errs on the safe side whichever of
// the two Telegram applies.
#include <cstddef>
#include <string>
#include <string_view>

namespace sentinel::notify {

inline constexpr std::size_t telegram_max_text_length = 4096;  // sendMessage "text", after entity parsing
// The markup around the visible text has no documented limit; this keeps a
// request body bounded anyway (a text of 4096 "&quot;" is 24 KiB).
inline constexpr std::size_t telegram_max_html_bytes = 32 * 1024;

// Text for Telegram HTML: & < > " become entities (" too, so a value may
// also stand in an attribute) and ill-formed UTF-8 becomes U+FFFD, which
// Telegram would otherwise refuse for the whole message.
std::string html_escape(std::string_view text);

// Visible length of `html` in UTF-16 code units, as Telegram counts it: tags
// count 0, an entity counts as the character it encodes, a '<' or '&' that
// starts no tag or entity counts 1.
std::size_t telegram_text_length(std::string_view html);

// `html` unchanged when its visible length is at most `limit` and it is at
// most `max_bytes` long. Otherwise the longest prefix that fits, followed by
// "…" (counted in the limit) and the closing tags of every element still
// open. The cut never falls inside a tag, an entity, a UTF-8 sequence or a
// surrogate pair (a 2-unit emoji that does not fit is left out whole), and an
// element opened just before the cut, with nothing of it kept, is left out.
// `limit` 0 gives "". Assumes `html` is well formed (what our formatter
// makes); it repairs nothing before the cut.
std::string truncate_telegram_html(std::string_view html, std::size_t limit = telegram_max_text_length,
                                   std::size_t max_bytes = telegram_max_html_bytes);

}  // namespace sentinel::notify
