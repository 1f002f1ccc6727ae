// The Telegram HTML cutter on arbitrary text (escaped first, as the formatter
// does, and raw): never a crash, and the result fits the limits it was given.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "notify/telegram_html.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sentinel;
  if (size < 2) return 0;
  const std::size_t limit = data[0];
  const std::size_t max_bytes = 16 + static_cast<std::size_t>(data[1]) * 4;
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
  const std::string escaped = notify::html_escape(text);
  const std::string cut = notify::truncate_telegram_html(escaped, limit, max_bytes);
  if (notify::telegram_text_length(cut) > limit) std::abort();
  if (cut.size() > max_bytes + 64) std::abort();  // closing tags may follow the cut; escaped text opens none
  (void)notify::truncate_telegram_html(text, limit, max_bytes);  // raw: assumed well formed, must not crash
  (void)notify::telegram_text_length(text);
  return 0;
}
