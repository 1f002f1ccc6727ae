#pragma once
// Measuring and cutting text for targets with size limits (Discord counts
// characters, ntfy bytes, Slack characters), and the shared "… and N more"
// cut of a list that every channel applies when a group is too large for
// one message (product.md §9).
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::notify {

inline constexpr std::string_view ellipsis = "\xE2\x80\xA6";  // "…"

// Length in UTF-16 code units (a code point above U+FFFF counts 2; an
// ill-formed byte counts 1): never below the count of code points, so a
// limit checked with it holds whichever of the two a target counts.
std::size_t utf16_length(std::string_view text);

// `text` unchanged when it has at most `max_units` UTF-16 units; else the
// longest prefix of whole characters that fits with "…" appended. 0 → "".
std::string cut_to_units(std::string_view text, std::size_t max_units);

// The same in bytes, the cut on a UTF-8 boundary.
std::string cut_to_bytes(std::string_view text, std::size_t max_bytes);

// "… and 297 more"
std::string and_more(std::size_t left_out);

// `lines` joined by `separator`, as many leading ones as fit in `budget`
// (measured by `measure`, which must add up: measure(a + b) == measure(a) +
// measure(b)), then `separator` + and_more(N) for the N left out. Lines are
// never cut: one that does not fit ends the list, so the result may be only
// the "… and N more" line; a caller whose single line can exceed the budget
// cuts the result again. `budget` below the trailer's own size gives what
// fits of it, unmeasured: the caller's final cut handles it.
std::string join_within(const std::vector<std::string>& lines, std::string_view separator, std::size_t budget,
                        const std::function<std::size_t(std::string_view)>& measure);

// How many of `total` items to show when at most `slots` fit and, when some
// are left out, one slot goes to the "… and N more" item.
std::size_t items_to_show(std::size_t total, std::size_t slots);

}  // namespace sentinel::notify
