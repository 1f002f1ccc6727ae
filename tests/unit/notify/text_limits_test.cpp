#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "notify/text_limits.hpp"

namespace sentinel::notify {
namespace {

std::size_t bytes(std::string_view s) { return s.size(); }

TEST(Utf16Length, CountsSurrogatePairsTwice) {
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("\xC3\xA9"), 1u);          // é
  EXPECT_EQ(utf16_length("\xF0\x9F\x94\xA5"), 2u);  // 🔥
  EXPECT_EQ(utf16_length("\xFF"), 1u);              // ill-formed byte
}

TEST(CutToUnits, KeepsWholeCharactersAndMarksTheCut) {
  EXPECT_EQ(cut_to_units("hello", 5), "hello");
  EXPECT_EQ(cut_to_units("hello", 4), "hel\xE2\x80\xA6");
  EXPECT_EQ(cut_to_units("ab\xF0\x9F\x94\xA5", 3), "ab\xE2\x80\xA6");  // the emoji needs 2 units: left out whole
  EXPECT_EQ(cut_to_units("hello", 0), "");
}

TEST(CutToBytes, NeverSplitsASequence) {
  EXPECT_EQ(cut_to_bytes("\xC3\xA9\xC3\xA9\xC3\xA9", 6), "\xC3\xA9\xC3\xA9\xC3\xA9");
  EXPECT_EQ(cut_to_bytes("\xC3\xA9\xC3\xA9\xC3\xA9", 5), "\xC3\xA9\xE2\x80\xA6");
  EXPECT_EQ(cut_to_bytes("abcdef", 2), "ab");
}

TEST(JoinWithin, AllWhenTheyFit) {
  EXPECT_EQ(join_within({"a", "b", "c"}, "\n", 5, bytes), "a\nb\nc");
}

TEST(JoinWithin, CutsWithAndMore) {
  std::vector<std::string> lines(300, std::string(10, 'x'));
  const std::string out = join_within(lines, "\n", 100, bytes);
  EXPECT_LE(out.size(), 100u);
  EXPECT_TRUE(out.ends_with("\xE2\x80\xA6 and 293 more")) << out;  // 7 lines: 76 bytes, then room for "\n… and 300 more"
}

TEST(JoinWithin, NoLineFitsStillSaysHowMany) {
  EXPECT_EQ(join_within({std::string(50, 'x'), "y"}, "\n", 20, bytes), "\xE2\x80\xA6 and 2 more");
}

TEST(ItemsToShow, LeavesASlotForTheTrailer) {
  EXPECT_EQ(items_to_show(3, 5), 3u);
  EXPECT_EQ(items_to_show(5, 5), 5u);
  EXPECT_EQ(items_to_show(6, 5), 4u);
  EXPECT_EQ(items_to_show(6, 0), 0u);
}

}  // namespace
}  // namespace sentinel::notify
