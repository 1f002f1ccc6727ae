#include "notify/channel_settings.hpp"

#include <charconv>
#include <system_error>

#include "notify/outbound_request.hpp"

namespace sentinel::notify {

namespace {

std::optional<std::string> as_text(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  return std::nullopt;
}

}  // namespace

const boost::json::value* SettingsReader::present(std::string_view key) const {
  const auto* v = settings_.if_contains(key);
  if (v == nullptr || v->is_null() || (v->is_string() && v->get_string().empty())) return nullptr;
  return v;
}

std::string SettingsReader::required(std::string_view key, std::optional<std::string> value) {
  // After an invalid value this records nothing: fail() keeps the first problem, the more precise one.
  if (!value) fail(std::string(key) + " is required");
  return value ? std::move(*value) : std::string();
}

void SettingsReader::fail(std::string problem) {
  if (!error_) error_ = std::move(problem);
}

std::optional<std::string> SettingsReader::optional_string(std::string_view key) {
  const auto* v = present(key);
  if (v == nullptr) return std::nullopt;
  auto text = as_text(*v);
  if (!text) fail(std::string(key) + " must be a string");
  return text;
}

std::string SettingsReader::required_string(std::string_view key) { return required(key, optional_string(key)); }

std::optional<std::string> SettingsReader::optional_token(std::string_view key) {
  auto s = optional_string(key);
  if (!s) return s;
  for (const char c : *s) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7F) {
      fail(std::string(key) + " must not contain blanks or control characters");
      return std::nullopt;
    }
  }
  return s;
}

std::string SettingsReader::required_token(std::string_view key) { return required(key, optional_token(key)); }

std::optional<std::string> SettingsReader::optional_url(std::string_view key) {
  auto s = optional_string(key);
  if (s && !is_http_url(*s)) {
    fail(std::string(key) + " must be an http:// or https:// URL");
    return std::nullopt;
  }
  return s;
}

std::string SettingsReader::required_url(std::string_view key) { return required(key, optional_url(key)); }

std::optional<std::int64_t> SettingsReader::optional_int(std::string_view key) {
  const auto* v = present(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_string()) {
    const std::string_view s = v->get_string();
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc{} && end == s.data() + s.size()) return n;
  }
  fail(std::string(key) + " must be an integer");
  return std::nullopt;
}

std::vector<std::string> SettingsReader::required_string_list(std::string_view key) {
  const auto* v = present(key);
  std::vector<std::string> out;
  if (v != nullptr && v->is_string()) {
    out.emplace_back(v->get_string());
  } else if (v != nullptr && v->is_array()) {
    for (const auto& item : v->get_array()) {
      if (!item.is_string() || item.get_string().empty()) {
        fail(std::string(key) + " must be a list of non-empty strings");
        return {};
      }
      out.emplace_back(item.get_string());
    }
  } else if (v != nullptr) {
    fail(std::string(key) + " must be a list of strings");
    return {};
  }
  if (out.empty()) fail(std::string(key) + " is required");
  return out;
}

std::optional<boost::json::object> SettingsReader::optional_object(std::string_view key) {
  const auto* v = present(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) {
    fail(std::string(key) + " must be an object");
    return std::nullopt;
  }
  return v->get_object();
}

}  // namespace sentinel::notify
