#pragma once
// Reading a channel's `settings` (product.md §9 field names, secrets already
// decrypted). The API validates settings when they are saved, but a channel
// stored by an older version, or edited in the database, must still fail
// with a clear reason rather than crash: every getter records the first
// problem and returns an empty value, so a formatter reads all it needs and
// then checks error() once.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::notify {

class SettingsReader {
 public:
  explicit SettingsReader(const boost::json::object& settings) : settings_(settings) {}

  // A non-empty string; a number is taken as its decimal text (a chat id
  // typed as a number). Missing or empty: an error "<key> is required".
  std::string required_string(std::string_view key);
  // The same, absent (or null, or "") allowed.
  std::optional<std::string> optional_string(std::string_view key);
  // A credential that goes into a header or a URL (a bearer token, a bot
  // token): a string without blanks or control characters, which could
  // otherwise split a header line or a URL.
  std::optional<std::string> optional_token(std::string_view key);
  std::string required_token(std::string_view key);
  // A required http(s):// URL.
  std::string required_url(std::string_view key);
  std::optional<std::string> optional_url(std::string_view key);
  // An integer, or a string of one; absent allowed.
  std::optional<std::int64_t> optional_int(std::string_view key);
  // A non-empty array of non-empty strings (a lone string is taken as a
  // list of one).
  std::vector<std::string> required_string_list(std::string_view key);
  // A nested object (basic_auth), absent allowed.
  std::optional<boost::json::object> optional_object(std::string_view key);

  // Records a problem found by the caller (two settings that exclude each other).
  void fail(std::string problem);
  // The first problem, e.g. "bot_token is required", or nullopt.
  const std::optional<std::string>& error() const { return error_; }

 private:
  const boost::json::value* present(std::string_view key) const;  // null for absent, null and ""
  // `value`, or "" after recording that `key` is missing.
  std::string required(std::string_view key, std::optional<std::string> value);

  const boost::json::object& settings_;
  std::optional<std::string> error_;
};

}  // namespace sentinel::notify
