#pragma once
// Process-wide logging through spdlog's default logger: text lines or, with
// LOG_FORMAT=json, one JSON object per line ({"ts","level","msg"} plus the
// fields a line was logged with, see log_with_fields).
#include <spdlog/spdlog.h>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace sentinel::observability {

// level: trace, debug, info, warning|warn, error, critical, off.
// format: "text" or "json". Logs go to stderr.
void setup_logging(const std::string& level, const std::string& format);

// One named value of a structured log line: text, integer or real. Borrows
// its strings: build fields inside the log_with_fields() call.
struct LogField {
  enum class Kind : std::uint8_t { text, integer, real };

  LogField(std::string_view k, std::string_view v) : key(k), kind(Kind::text), text(v) {}
  LogField(std::string_view k, const char* v) : LogField(k, std::string_view(v)) {}
  LogField(std::string_view k, const std::string& v) : LogField(k, std::string_view(v)) {}
  template <std::integral T>
  LogField(std::string_view k, T v) : key(k), kind(Kind::integer), integer(static_cast<std::int64_t>(v)) {}
  template <std::floating_point T>
  LogField(std::string_view k, T v) : key(k), kind(Kind::real), real(static_cast<double>(v)) {}

  std::string_view key;  // never "ts", "level" or "msg"
  Kind kind;
  std::string_view text;
  std::int64_t integer = 0;
  double real = 0.0;
};

// One JSON log line (with its '\n'): {"ts":"…Z","level":…,"msg":…,<fields>}.
// Every string is escaped and ill-formed UTF-8 becomes U+FFFD, so the line is
// one valid JSON object whatever the message holds; NaN and ±Inf are null.
std::string json_log_line(std::chrono::system_clock::time_point time, std::string_view level,
                          std::string_view message, std::span<const LogField> fields);

// The formatter setup_logging() installs for LOG_FORMAT=json.
std::unique_ptr<spdlog::formatter> make_json_formatter();

// The one for LOG_FORMAT=text: "<time>Z <level> <message>", the message
// escaped by append_log_escaped().
std::unique_ptr<spdlog::formatter> make_text_formatter();

// Appends `s` with control bytes (\x00-\x1f, \x7f), C1 controls and every
// ill-formed UTF-8 byte as \xNN, and '\' doubled: one log line stays one
// line and says exactly what a client sent. Valid UTF-8 text is unchanged.
void append_log_escaped(std::string& out, std::string_view s);
std::string log_escaped(std::string_view s);

namespace detail {
// Makes `fields` the current thread's extra fields while it lives. The
// default logger is synchronous, so its formatter runs inside log() on this
// thread and sees them.
class ScopedLogFields {
 public:
  explicit ScopedLogFields(std::span<const LogField> fields);
  ~ScopedLogFields();
  ScopedLogFields(const ScopedLogFields&) = delete;
  ScopedLogFields& operator=(const ScopedLogFields&) = delete;

 private:
  std::span<const LogField> previous_;
};
}  // namespace detail

// Logs like spdlog::info(...) and friends, plus `fields` as separate keys of
// the JSON object (LOG_FORMAT=json). Text lines show the message only, so a
// message should say the same in words. Never throws on a field.
template <class... Args>
void log_with_fields(spdlog::level::level_enum level, std::initializer_list<LogField> fields,
                     spdlog::format_string_t<Args...> format, Args&&... args) {
  auto* logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  const detail::ScopedLogFields scope(std::span<const LogField>(fields.begin(), fields.size()));
  logger->log(level, format, std::forward<Args>(args)...);
}

}  // namespace sentinel::observability
