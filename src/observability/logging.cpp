#include "observability/logging.hpp"

#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <cmath>
#include <iterator>

#include "core/time.hpp"
#include "core/utf8.hpp"

namespace sentinel::observability {

namespace {

thread_local std::span<const LogField> current_fields;

// A JSON string: quotes, backslashes and control characters escaped, and
// every ill-formed UTF-8 byte replaced by U+FFFD, so that strict parsers
// (jq, Loki, Elasticsearch) never reject a line over a hostile message.
void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t n = core::utf8_sequence_length(s, i);
      if (n == 0) {
        out.append("\xEF\xBF\xBD");
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

void append_field_value(std::string& out, const LogField& f) {
  switch (f.kind) {
    case LogField::Kind::text: append_json_string(out, f.text); break;
    case LogField::Kind::integer: fmt::format_to(std::back_inserter(out), "{}", f.integer); break;
    case LogField::Kind::real:
      if (std::isfinite(f.real)) {
        fmt::format_to(std::back_inserter(out), "{}", f.real);  // shortest round-trip: 1.5, 1e-05
      } else {
        out.append("null");
      }
      break;
  }
}

// One JSON object per line so log shippers (Loki, Elasticsearch) need no
// parsing rules; the message is escaped, never spliced raw.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto level = spdlog::level::to_string_view(msg.level);
    const std::string line = json_log_line(msg.time, std::string_view(level.data(), level.size()),
                                           std::string_view(msg.payload.data(), msg.payload.size()), current_fields);
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

std::string json_log_line(std::chrono::system_clock::time_point time, std::string_view level,
                          std::string_view message, std::span<const LogField> fields) {
  // No strftime: its buffer's contents are undefined when a year does not fit.
  // Seconds and milliseconds by integer division of the clock's own count:
  // converting a floored time point back to the clock's unit overflows at
  // its ends (time_point::min() floors below what int64 nanoseconds hold).
  constexpr std::int64_t per_second = std::chrono::system_clock::period::den / std::chrono::system_clock::period::num;
  const std::int64_t ticks = time.time_since_epoch().count();
  std::int64_t secs = ticks / per_second, rest = ticks % per_second;
  if (rest < 0) {
    rest += per_second;
    --secs;
  }
  std::string ts = core::format_iso8601(core::Timestamp{std::chrono::seconds(secs)});
  ts.pop_back();  // the 'Z' comes after the milliseconds
  const auto millis = rest * 1000 / per_second;

  std::string out;
  out.reserve(96 + message.size() + fields.size() * 24);
  fmt::format_to(std::back_inserter(out), "{{\"ts\":\"{}.{:03d}Z\",\"level\":", ts, millis);
  append_json_string(out, level);
  out.append(",\"msg\":");
  append_json_string(out, message);
  for (const auto& f : fields) {
    out.push_back(',');
    append_json_string(out, f.key);
    out.push_back(':');
    append_field_value(out, f);
  }
  out.append("}\n");
  return out;
}

std::unique_ptr<spdlog::formatter> make_json_formatter() { return std::make_unique<JsonFormatter>(); }

void append_log_escaped(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  const auto byte = [&out](unsigned char c) {
    out += "\\x";
    out += hex[c >> 4];
    out += hex[c & 15];
  };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      byte(c);
      ++i;
    } else if (c == '\\') {
      out += "\\\\";  // so that a literal "\x1b" in the input stays distinguishable from an escaped byte
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      const std::size_t n = core::utf8_sequence_length(s, i);
      // C1 controls (U+0080..U+009F, "\xC2\x80".."\xC2\x9F") steer terminals too.
      if (n == 0 || (n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0)) {
        for (std::size_t k = 0; k < (n == 0 ? 1 : n); ++k) byte(static_cast<unsigned char>(s[i + k]));
        i += n == 0 ? 1 : n;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
    }
  }
}

std::string log_escaped(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_log_escaped(out, s);
  return out;
}

namespace {

// %v with every control byte, C1 control and ill-formed UTF-8 byte written as
// \xNN: a client's path, header or user name can neither start a forged log
// line nor send escape sequences to an operator's terminal.
class EscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string out;
    append_log_escaped(out, std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EscapedMessage>(); }
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_text_formatter() {
  auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  f->add_flag<EscapedMessage>('*');
  f->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %*");
  return f;
}

namespace detail {

ScopedLogFields::ScopedLogFields(std::span<const LogField> fields) : previous_(current_fields) {
  current_fields = fields;
}

ScopedLogFields::~ScopedLogFields() { current_fields = previous_; }

}  // namespace detail

void setup_logging(const std::string& level, const std::string& format) {
  auto logger = std::make_shared<spdlog::logger>("sentinel", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (format == "json") {
    logger->set_formatter(make_json_formatter());
  } else {
    logger->set_formatter(make_text_formatter());
  }
  logger->set_level(spdlog::level::from_str(level == "warning" ? "warn" : level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace sentinel::observability
