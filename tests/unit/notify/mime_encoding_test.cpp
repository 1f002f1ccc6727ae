#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "notify/mime_encoding.hpp"

namespace sentinel::notify {
namespace {

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64("\xFF\xFE"), "//4=");
}

TEST(QuotedPrintable, EncodesWhatMustBe) {
  EXPECT_EQ(quoted_printable("a=b"), "a=3Db");
  EXPECT_EQ(quoted_printable("caf\xC3\xA9"), "caf=C3=A9");
  EXPECT_EQ(quoted_printable("line \nnext\t"), "line=20\r\nnext=09");
  EXPECT_EQ(quoted_printable("a\r\nb"), "a\r\nb");
  EXPECT_EQ(quoted_printable(".\n.."), "=2E\r\n=2E.");
}

TEST(QuotedPrintable, SoftBreaksKeepLinesAt76) {
  const std::string long_line(200, 'x');
  const std::string out = quoted_printable(long_line + "\n" + std::string(300, '\xC3'));
  std::istringstream lines(out);
  std::string line;
  std::size_t count = 0;
  std::string joined;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    EXPECT_LE(line.size(), 76u) << line;
    ++count;
  }
  EXPECT_GT(count, 3u);
  // Exactly 76 fits without a break.
  EXPECT_EQ(quoted_printable(std::string(76, 'y')), std::string(76, 'y'));
  EXPECT_EQ(quoted_printable(std::string(77, 'y')), std::string(75, 'y') + "=\r\nyy");
}

TEST(EncodeHeaderValue, AsciiStaysPlain) {
  EXPECT_EQ(encode_header_value("[FIRING:3] High CPU"), "[FIRING:3] High CPU");
  EXPECT_EQ(encode_header_value("a\r\nBcc: x@y"), "a  Bcc: x@y");  // one header stays one header
}

TEST(EncodeHeaderValue, Rfc2047WhenNotAscii) {
  EXPECT_EQ(encode_header_value("Température"), "=?UTF-8?B?VGVtcMOpcmF0dXJl?=");
  EXPECT_EQ(encode_header_value("=?x?="), "=?UTF-8?B?PT94Pz0=?=");  // would read as an encoded-word
  // Long values: several words, each at most 64 characters, folded, never splitting a character.
  std::string cyrillic;
  for (int i = 0; i < 60; ++i) cyrillic += "\xD0\x96";  // Ж
  const std::string out = encode_header_value(cyrillic);
  std::size_t start = 0;
  int words = 0;
  while (start < out.size()) {
    auto end = out.find("\r\n ", start);
    if (end == std::string::npos) end = out.size();
    const std::string word = out.substr(start, end - start);
    EXPECT_LE(word.size(), 64u);
    EXPECT_TRUE(word.starts_with("=?UTF-8?B?") && word.ends_with("?=")) << word;
    ++words;
    start = end == out.size() ? end : end + 3;
  }
  EXPECT_EQ(words, 4);  // 120 bytes in words of at most 39 (each 2-byte character whole: 38)
  EXPECT_EQ(encode_header_value(cyrillic, " ").find('\r'), std::string::npos);
}

}  // namespace
}  // namespace sentinel::notify
