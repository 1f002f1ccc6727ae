#include <gtest/gtest.h>

#include "core/utf8.hpp"

namespace sentinel::core {
namespace {

TEST(Utf8, SequenceLengths) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xD0\x9F", 0), 2u);          // П
  EXPECT_EQ(utf8_sequence_length("\xE2\x80\xA6", 0), 3u);      // …
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x94\xA5", 0), 4u);  // 🔥
}

TEST(Utf8, IllFormedSequencesAreZero) {
  EXPECT_EQ(utf8_sequence_length("\x80", 0), 0u);              // stray continuation
  EXPECT_EQ(utf8_sequence_length("\xC0\xAF", 0), 0u);          // overlong '/'
  EXPECT_EQ(utf8_sequence_length("\xE0\x80\xAF", 0), 0u);      // overlong
  EXPECT_EQ(utf8_sequence_length("\xED\xA0\x80", 0), 0u);      // surrogate D800
  EXPECT_EQ(utf8_sequence_length("\xF4\x90\x80\x80", 0), 0u);  // past U+10FFFF
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x94", 0), 0u);      // cut short
  EXPECT_EQ(utf8_sequence_length("\xFF", 0), 0u);
}

TEST(Utf8, SanitizeReplacesOnlyBadBytes) {
  EXPECT_EQ(sanitize_utf8("ok Привет 🔥"), "ok Привет 🔥");
  EXPECT_EQ(sanitize_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(sanitize_utf8("\xF0\x9F\x94"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Utf8, PrefixNeverSplitsASequence) {
  const std::string s = "ab\xF0\x9F\x94\xA5" "c";  // ab🔥c
  EXPECT_EQ(utf8_prefix(s, 2), "ab");
  EXPECT_EQ(utf8_prefix(s, 3), "ab");
  EXPECT_EQ(utf8_prefix(s, 5), "ab");
  EXPECT_EQ(utf8_prefix(s, 6), "ab\xF0\x9F\x94\xA5");
  EXPECT_EQ(utf8_prefix(s, 100), s);
}

}  // namespace
}  // namespace sentinel::core
