#pragma once
// Internal to sentinel_domain: reads the fields of one request body object,
// pydantic v2 style. Every read records its own error (loc ["body", key]) and
// keeps going, so one 422 lists every bad field in the order they are read.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"

namespace sentinel::domain::detail {

// How a field may appear in the body.
enum class Presence {
  required,  // absent → "missing"; null → type error
  optional,  // absent → keep the default; null → type error
  nullable,  // absent → keep the default; null → explicit null
};

// What a valid string looks like. Lengths count Unicode code points, as
// pydantic does; max_chars 0 = unbounded.
// Built as StringRule::between(1, 255).non_blank() etc.
struct StringRule {
  std::size_t min_chars = 0;
  std::size_t max_chars = 0;
  bool not_blank = false;                     // an all-whitespace value is a value_error
  bool (*valid)(std::string_view) = nullptr;  // extra format check
  std::string_view invalid_msg;               // its full message (type value_error)

  static constexpr StringRule between(std::size_t min, std::size_t max) {
    StringRule r;
    r.min_chars = min;
    r.max_chars = max;
    return r;
  }
  constexpr StringRule non_blank() const {
    StringRule r = *this;
    r.not_blank = true;
    return r;
  }
  constexpr StringRule checked(bool (*check)(std::string_view), std::string_view msg) const {
    StringRule r = *this;
    r.valid = check;
    r.invalid_msg = msg;
    return r;
  }
};

struct IntRule {
  std::optional<std::int64_t> min;
  std::optional<std::int64_t> max;
};

// Outer optional: the field was present and valid; inner optional: JSON null.
// A field that was absent or invalid yields nullopt (invalid ones leave an error).
template <class T>
using Read = std::optional<std::optional<T>>;

class ObjectReader {
 public:
  explicit ObjectReader(const boost::json::object& body) : body_(body) {}
  // An object nested in the body: errors at loc `prefix` + key, e.g.
  // ["body", "settings", "url"].
  ObjectReader(const boost::json::object& body, std::vector<std::string> prefix)
      : body_(body), prefix_(std::move(prefix)) {}

  Read<std::string> string(std::string_view key, Presence p, const StringRule& rule = {});
  // The value must be one of `allowed` (literal_error otherwise).
  Read<std::string> choice(std::string_view key, Presence p, std::initializer_list<std::string_view> allowed);
  Read<std::string> choice(std::string_view key, Presence p, std::span<const std::string_view> allowed);
  // JSON integers, and numbers with an integral value (5.0).
  Read<std::int64_t> integer(std::string_view key, Presence p, const IntRule& rule = {});
  // Any finite JSON number.
  Read<double> number(std::string_view key, Presence p);
  // JSON true/false only.
  Read<bool> boolean(std::string_view key, Presence p);
  // An ISO 8601 string (core::parse_iso8601).
  Read<core::Timestamp> datetime(std::string_view key, Presence p);

  // A JSON array of at most `max_items` strings, each checked by `rule`
  // (errors at loc [..., key, "<index>"]).
  Read<std::vector<std::string>> string_list(std::string_view key, Presence p, const StringRule& rule,
                                             std::size_t max_items);
  // A JSON array of at most `max_items` integers, each checked by `rule`.
  Read<std::vector<std::int64_t>> integer_list(std::string_view key, Presence p, const IntRule& rule,
                                               std::size_t max_items);

  // A JSON object of at most `max_items` string values (labels, annotations):
  // each key checked by `key_rule`, each value by `value_rule` (errors at loc
  // [..., key, "<name>"]).
  Read<std::map<std::string, std::string>> string_map(std::string_view key, Presence p, const StringRule& key_rule,
                                                      const StringRule& value_rule, std::size_t max_items);

  // Records an error found by a cross-field check, at loc ["body", key]
  // (the reader's prefix, then key and `more`).
  void add_error(std::string_view key, std::string msg, std::string type);
  void add_error(std::string_view key, std::initializer_list<std::string_view> more, std::string msg,
                 std::string type);
  // Marks `key` as read without reading it (a field handled elsewhere).
  void skip(std::string_view key) { read_.emplace_back(key); }

  // Ends reading: keys that were neither read nor listed as read-only are
  // "extra_forbidden" (after the field errors, in body order). Fails with
  // every recorded error at once.
  core::Result<void> finish(std::initializer_list<std::string_view> read_only);

 private:
  // The field's value, or nullptr when absent/null (handled here).
  const boost::json::value* lookup(std::string_view key, Presence p, bool& is_null, std::string_view type_msg,
                                   std::string_view type);

  const boost::json::object& body_;
  std::vector<std::string> prefix_{"body"};
  std::vector<std::string> read_;
  std::vector<core::FieldError> errors_;
};

// The body as an object, or the pydantic "model_attributes_type" error.
core::Result<const boost::json::object*> body_object(const boost::json::value& body);

// "Value error, <msg>": pydantic's wording for a failed custom check.
std::string value_error_msg(std::string_view msg);

// Number of Unicode code points of valid UTF-8 (Boost.JSON validates input).
std::size_t utf8_length(std::string_view s);

}  // namespace sentinel::domain::detail
