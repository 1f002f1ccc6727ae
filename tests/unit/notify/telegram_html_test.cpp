#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "notify/telegram_html.hpp"
#include "core/utf8.hpp"

namespace sentinel::notify {
namespace {

const std::string ellipsis = "\xE2\x80\xA6";

// An independent, strict reading of Telegram HTML (the test's oracle): the
// visible length in UTF-16 units when `html` is well formed (supported tags
// balanced, only Telegram's entities, valid UTF-8), nullopt otherwise.
std::optional<std::size_t> strict_visible_units(const std::string& html) {
  static const std::vector<std::string> supported{"b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
                                                  "span", "tg-spoiler", "a", "code", "pre", "blockquote"};
  std::vector<std::string> open;
  std::size_t units = 0;
  for (std::size_t i = 0; i < html.size();) {
    const char c = html[i];
    if (c == '<') {
      std::size_t j = i + 1;
      const bool closing = j < html.size() && html[j] == '/';
      if (closing) ++j;
      std::string name;
      while (j < html.size() && ((html[j] >= 'a' && html[j] <= 'z') || html[j] == '-')) name += html[j++];
      if (std::find(supported.begin(), supported.end(), name) == supported.end()) return std::nullopt;
      char quote = 0;
      while (j < html.size() && (quote != 0 || html[j] != '>')) {
        if (quote != 0 && html[j] == quote) quote = 0;
        else if (quote == 0 && (html[j] == '"' || html[j] == '\'')) quote = html[j];
        else if (quote == 0 && html[j] == '<') return std::nullopt;
        ++j;
      }
      if (j >= html.size()) return std::nullopt;
      if (closing) {
        if (open.empty() || open.back() != name) return std::nullopt;
        open.pop_back();
      } else {
        open.push_back(name);
      }
      i = j + 1;
    } else if (c == '&') {
      const std::size_t semi = html.find(';', i);
      if (semi == std::string::npos) return std::nullopt;
      const std::string body = html.substr(i + 1, semi - i - 1);
      if (body == "lt" || body == "gt" || body == "amp" || body == "quot") {
        units += 1;
      } else if (body.size() >= 2 && body[0] == '#') {
        const bool hex = body[1] == 'x';
        const std::string digits = body.substr(hex ? 2 : 1);
        if (digits.empty()) return std::nullopt;
        const unsigned long cp = std::stoul(digits, nullptr, hex ? 16 : 10);
        units += cp > 0xFFFF ? 2 : 1;
      } else {
        return std::nullopt;
      }
      i = semi + 1;
    } else {
      const std::size_t n = core::utf8_sequence_length(html, i);
      if (n == 0) return std::nullopt;
      units += n == 4 ? 2 : 1;
      i += n;
    }
  }
  if (!open.empty()) return std::nullopt;
  return units;
}

// --- html_escape ------------------------------------------------------------

TEST(HtmlEscape, EscapesTheFourCharacters) {
  EXPECT_EQ(html_escape("a & b < c > d \"e\" 'f'"), "a &amp; b &lt; c &gt; d &quot;e&quot; 'f'");
  EXPECT_EQ(html_escape("<b>not bold</b>"), "&lt;b&gt;not bold&lt;/b&gt;");
  EXPECT_EQ(html_escape("&amp;"), "&amp;amp;");
}

TEST(HtmlEscape, KeepsUnicodeAndReplacesBadBytes) {
  EXPECT_EQ(html_escape("Привет 🔥"), "Привет 🔥");
  EXPECT_EQ(html_escape("x\xC3"), "x\xEF\xBF\xBD");
}

// --- telegram_text_length ------------------------------------------------------

TEST(TelegramTextLength, CountsVisibleUtf16Units) {
  EXPECT_EQ(telegram_text_length(""), 0u);
  EXPECT_EQ(telegram_text_length("abc"), 3u);
  EXPECT_EQ(telegram_text_length("<b>abc</b>"), 3u);
  EXPECT_EQ(telegram_text_length("a&amp;b&lt;&gt;&quot;"), 6u);
  EXPECT_EQ(telegram_text_length("Привет"), 6u);                 // 12 bytes, 6 units
  EXPECT_EQ(telegram_text_length("🔥"), 2u);                     // surrogate pair
  EXPECT_EQ(telegram_text_length("✅"), 1u);                     // BMP
  EXPECT_EQ(telegram_text_length("&#128293;&#x1F525;&#233;"), 5u);
  EXPECT_EQ(telegram_text_length("<a href=\"https://x/?a=1&amp;b=>\">go</a>"), 2u);
}

TEST(TelegramTextLength, StrayMarkupCountsAsText) {
  EXPECT_EQ(telegram_text_length("a & b"), 5u);
  EXPECT_EQ(telegram_text_length("1 < 2"), 5u);
  EXPECT_EQ(telegram_text_length("<>"), 2u);
  EXPECT_EQ(telegram_text_length("&;"), 2u);
}

// --- truncate_telegram_html: the cases Alertmanager gets wrong -------------------

TEST(TruncateTelegramHtml, FitsUnchanged) {
  EXPECT_EQ(truncate_telegram_html("<b>hi</b> there", 100), "<b>hi</b> there");
  EXPECT_EQ(truncate_telegram_html("", 10), "");
}

TEST(TruncateTelegramHtml, ExactlyAtTheLimitIsUnchanged) {
  const std::string html = "<b>" + std::string(8, 'x') + "</b>&amp;🔥";  // 8 + 1 + 2 = 11 units
  ASSERT_EQ(telegram_text_length(html), 11u);
  EXPECT_EQ(truncate_telegram_html(html, 11), html);
  EXPECT_EQ(truncate_telegram_html(html, 10), "<b>xxxxxxxx</b>&amp;" + ellipsis);
}

TEST(TruncateTelegramHtml, OneOverTheLimitIsCut) {
  const std::string html(11, 'a');
  const std::string out = truncate_telegram_html(html, 10);
  EXPECT_EQ(out, std::string(9, 'a') + ellipsis);
  EXPECT_EQ(telegram_text_length(out), 10u);
}

TEST(TruncateTelegramHtml, NeverCutsInsideAnEntity) {
  EXPECT_EQ(truncate_telegram_html("ab&amp;cdef", 4), "ab&amp;" + ellipsis);
  EXPECT_EQ(truncate_telegram_html("ab&amp;cdef", 3), "ab" + ellipsis);
  EXPECT_EQ(truncate_telegram_html("ab&quot;&quot;cd", 4), "ab&quot;" + ellipsis);
  EXPECT_EQ(truncate_telegram_html("ab&#128293;cd", 4), "ab" + ellipsis);  // the entity is 2 units
  EXPECT_EQ(truncate_telegram_html("ab&#128293;cd", 5), "ab&#128293;" + ellipsis);
}

TEST(TruncateTelegramHtml, NeverCutsInsideATag) {
  // Budget 2 ends right after "ab": the <b> with none of its text kept goes too.
  EXPECT_EQ(truncate_telegram_html("ab<b>cd</b>", 3), "ab" + ellipsis);
  EXPECT_EQ(truncate_telegram_html("ab<b>cd</b>e", 4), "ab<b>c" + ellipsis + "</b>");
  const std::string link = "x<a href=\"https://example.com/?q=a&amp;b=>\">link text</a>";
  EXPECT_EQ(truncate_telegram_html(link, 4), "x<a href=\"https://example.com/?q=a&amp;b=>\">li" + ellipsis + "</a>");
}

TEST(TruncateTelegramHtml, ClosesNestedTagsInOrder) {
  const std::string html = "<b>bold <i>italic &lt;<code>code</code> more</i> tail</b> end";
  EXPECT_EQ(truncate_telegram_html(html, 16), "<b>bold <i>italic &lt;<code>co" + ellipsis + "</code></i></b>");
  EXPECT_EQ(truncate_telegram_html(html, 19), "<b>bold <i>italic &lt;<code>code</code> " + ellipsis + "</i></b>");
  EXPECT_EQ(truncate_telegram_html(html, 29), "<b>bold <i>italic &lt;<code>code</code> more</i> tail</b> " + ellipsis);
}

TEST(TruncateTelegramHtml, KeepsAClosedElementBeforeTheCut) {
  EXPECT_EQ(truncate_telegram_html("<b>ab</b>cdef", 3), "<b>ab</b>" + ellipsis);
}

TEST(TruncateTelegramHtml, EmojiIsNeverSplit) {
  // "ab🔥cd" is 6 units; with 3 units of budget the 2-unit emoji does not fit after "ab".
  EXPECT_EQ(truncate_telegram_html("ab🔥cd", 4), "ab" + ellipsis);
  EXPECT_EQ(truncate_telegram_html("ab🔥cd", 5), "ab🔥" + ellipsis);
  EXPECT_EQ(truncate_telegram_html("🔥🔥🔥", 4), "🔥" + ellipsis);
  EXPECT_EQ(telegram_text_length(truncate_telegram_html("🔥🔥🔥", 4)), 3u);
}

TEST(TruncateTelegramHtml, CyrillicCutsOnCharacterBoundaries) {
  const std::string out = truncate_telegram_html("Привет, мир", 5);
  EXPECT_EQ(out, "Прив" + ellipsis);
  EXPECT_EQ(core::sanitize_utf8(out), out);
}

TEST(TruncateTelegramHtml, TinyLimits) {
  EXPECT_EQ(truncate_telegram_html("abc", 0), "");
  EXPECT_EQ(truncate_telegram_html("abc", 1), ellipsis);
  EXPECT_EQ(truncate_telegram_html("<b>abc</b>", 1), ellipsis);
  EXPECT_EQ(truncate_telegram_html("<b>abc</b>", 2), "<b>a" + ellipsis + "</b>");
}

TEST(TruncateTelegramHtml, StrayEndTagClosesNothing) {
  EXPECT_EQ(truncate_telegram_html("<b>ab</i>cdef</b>", 4), "<b>ab</i>c" + ellipsis + "</b>");
}

TEST(TruncateTelegramHtml, ByteCapBoundsMarkupHeavyText) {
  std::string html = "<b>";
  for (int i = 0; i < 1000; ++i) html += "&quot;";
  html += "</b>";
  // Each kept "&quot;" must leave room for "…</b>": 3 + 6k + 3 + 4 <= 100 keeps 15.
  std::string expected = "<b>";
  for (int i = 0; i < 15; ++i) expected += "&quot;";
  expected += ellipsis + "</b>";
  const std::string out = truncate_telegram_html(html, 4096, 100);
  EXPECT_EQ(out, expected);
  EXPECT_EQ(out.size(), 100u);
  EXPECT_TRUE(strict_visible_units(out).has_value());
}

TEST(TruncateTelegramHtml, ResultOfTruncationIsStable) {
  const std::string html = "<i>" + std::string(50, 'z') + "</i>";
  const std::string once = truncate_telegram_html(html, 20);
  EXPECT_EQ(truncate_telegram_html(once, 20), once);
}

// Random well-formed messages cut at every limit: the result is always well
// formed, within the limit, valid UTF-8, a prefix of the input plus "…" and
// closing tags, and as long as it can be (limit - 1 or limit units).
TEST(TruncateTelegramHtml, RandomMessagesAtEveryLimit) {
  const std::vector<std::string> texts{"a", "word ", "\n", "Привет", "🔥", "✅", "&amp;", "&lt;",
                                       "&quot;", "&#128512;", "&#x41;", "ё", "😀😀", " · "};
  const std::vector<std::pair<std::string, std::string>> tags{
      {"<b>", "</b>"}, {"<i>", "</i>"}, {"<code>", "</code>"}, {"<pre>", "</pre>"},
      {"<a href=\"https://x.test/?a=1&amp;b=2\">", "</a>"}, {"<span class=\"tg-spoiler\">", "</span>"}};
  std::mt19937 rng(20261123);
  for (int round = 0; round < 200; ++round) {
    std::string html;
    std::vector<std::string> closers;
    const int pieces = 1 + static_cast<int>(rng() % 40);
    for (int p = 0; p < pieces; ++p) {
      const auto r = rng() % 10;
      if (r < 2 && closers.size() < 4) {
        const auto& t = tags[rng() % tags.size()];
        html += t.first;
        closers.push_back(t.second);
      } else if (r < 3 && !closers.empty()) {
        html += closers.back();
        closers.pop_back();
      } else {
        html += texts[rng() % texts.size()];
      }
    }
    while (!closers.empty()) {
      html += closers.back();
      closers.pop_back();
    }
    const auto full = strict_visible_units(html);
    ASSERT_TRUE(full.has_value()) << html;
    ASSERT_EQ(telegram_text_length(html), *full) << html;
    for (std::size_t limit = 1; limit <= *full + 1; ++limit) {
      const std::string out = truncate_telegram_html(html, limit);
      const auto units = strict_visible_units(out);
      ASSERT_TRUE(units.has_value()) << "limit " << limit << "\nin:  " << html << "\nout: " << out;
      ASSERT_LE(*units, limit) << out;
      if (*full <= limit) {
        ASSERT_EQ(out, html);
        continue;
      }
      ASSERT_GE(*units, limit - 1) << "cut more than needed at " << limit << ": " << out;
      const std::size_t mark = out.rfind(ellipsis);
      ASSERT_NE(mark, std::string::npos) << out;
      ASSERT_EQ(html.compare(0, mark, out, 0, mark), 0) << "not a prefix: " << out;
      const std::string tail = out.substr(mark + ellipsis.size());
      for (std::size_t i = 0; i < tail.size();) {  // only closing tags after the "…"
        ASSERT_EQ(tail.compare(i, 2, "</"), 0) << out;
        i = tail.find('>', i) + 1;
      }
    }
  }
}

}  // namespace
}  // namespace sentinel::notify
