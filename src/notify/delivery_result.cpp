#include "notify/delivery_result.hpp"

#include "core/utf8.hpp"

namespace sentinel::notify {

std::chrono::seconds bounded_requested_wait(std::int64_t seconds) {
  if (seconds < 1) return std::chrono::seconds{1};
  if (seconds > max_requested_wait.count()) return max_requested_wait;
  return std::chrono::seconds{seconds};
}

std::string bounded_detail(std::string_view text) {
  constexpr std::size_t max_bytes = 512;
  constexpr std::string_view ellipsis = "\xE2\x80\xA6";
  const std::string valid = core::sanitize_utf8(text);
  if (valid.size() <= max_bytes) return valid;
  std::string out(core::utf8_prefix(valid, max_bytes - ellipsis.size()));
  out += ellipsis;
  return out;
}

}  // namespace sentinel::notify
