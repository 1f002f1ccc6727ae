#pragma once
#include <optional>
#include <span>
#include <string_view>

namespace sentinel::core {

// A file compiled into the binary by cmake/Embed.cmake; `name` is
// "<parent-dir>/<file>", e.g. "sqlite/0001_initial.sql".
struct EmbeddedFile {
  std::string_view name;
  std::string_view content;
};

inline std::optional<std::string_view> find_embedded(std::span<const EmbeddedFile> files,
                                                     std::string_view name) {
  for (const auto& f : files)
    if (f.name == name) return f.content;
  return std::nullopt;
}

}  // namespace sentinel::core
