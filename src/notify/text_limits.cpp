#include "notify/text_limits.hpp"

#include "core/utf8.hpp"

namespace sentinel::notify {

std::size_t utf16_length(std::string_view text) {
  std::size_t units = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t n = core::utf8_sequence_length(text, pos);
    units += n == 4 ? 2 : 1;
    pos += n == 0 ? 1 : n;
  }
  return units;
}

std::string cut_to_units(std::string_view text, std::size_t max_units) {
  if (utf16_length(text) <= max_units) return std::string(text);
  if (max_units == 0) return {};
  std::size_t units = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t n = core::utf8_sequence_length(text, pos);
    const std::size_t u = n == 4 ? 2 : 1;
    if (units + u > max_units - 1) break;  // one unit stays for the "…"
    units += u;
    pos += n == 0 ? 1 : n;
  }
  std::string out(text.substr(0, pos));
  out += ellipsis;
  return out;
}

std::string cut_to_bytes(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  if (max_bytes < ellipsis.size()) return std::string(core::utf8_prefix(text, max_bytes));
  std::string out(core::utf8_prefix(text, max_bytes - ellipsis.size()));
  out += ellipsis;
  return out;
}

std::string and_more(std::size_t left_out) {
  return std::string(ellipsis) + " and " + std::to_string(left_out) + " more";
}

std::string join_within(const std::vector<std::string>& lines, std::string_view separator, std::size_t budget,
                        const std::function<std::size_t(std::string_view)>& measure) {
  const std::size_t sep = measure(separator);
  std::size_t all = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) all += (i > 0 ? sep : 0) + measure(lines[i]);
  std::string out;
  if (all <= budget) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (i > 0) out += separator;
      out += lines[i];
    }
    return out;
  }
  // The trailer is reserved at its longest (N = every line), so it always fits after the kept lines.
  const std::size_t trailer = sep + measure(and_more(lines.size()));
  const std::size_t room = budget > trailer ? budget - trailer : 0;
  std::size_t used = 0;
  std::size_t kept = 0;
  for (; kept < lines.size(); ++kept) {
    const std::size_t cost = (kept > 0 ? sep : 0) + measure(lines[kept]);
    if (used + cost > room) break;
    used += cost;
    if (kept > 0) out += separator;
    out += lines[kept];
  }
  if (kept > 0) out += separator;
  out += and_more(lines.size() - kept);
  return out;
}

std::size_t items_to_show(std::size_t total, std::size_t slots) {
  if (total <= slots) return total;
  return slots > 0 ? slots - 1 : 0;
}

}  // namespace sentinel::notify
