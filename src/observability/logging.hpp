#pragma once
// Process-wide logging through spdlog's default logger: text lines or, with
// LOG_FORMAT=json, one JSON object per line ({"ts","level","msg"}).
#include <string>

namespace sentinel::observability {

// level: trace, debug, info, warning|warn, error, critical, off.
// format: "text" or "json". Logs go to stderr.
void setup_logging(const std::string& level, const std::string& format);

}  // namespace sentinel::observability
