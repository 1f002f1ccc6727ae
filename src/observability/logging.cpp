#include "observability/logging.hpp"

#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <cmath>
#include <ctime>
#include <iterator>

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
  const std::time_t secs = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &utc);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
  if (millis < 0) millis += 1000;  // before 1970: to_time_t rounded down

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
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(level == "warning" ? "warn" : level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace sentinel::observability
