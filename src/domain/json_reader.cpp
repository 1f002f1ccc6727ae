#include "domain/json_reader.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace sentinel::domain::detail {

namespace {

// pydantic's wording ("at least 1 character", "at least 8 characters").
std::string characters(std::size_t n) { return std::to_string(n) + (n == 1 ? " character" : " characters"); }

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); });
}

template <class T>
Read<T> null_value() {
  return Read<T>{std::in_place};  // present, and JSON null
}

// 2^63 as a double: integral doubles in [-2^63, 2^63) fit an int64.
constexpr double two_pow_63 = 9223372036854775808.0;

}  // namespace

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

std::string value_error_msg(std::string_view msg) { return "Value error, " + std::string(msg); }

core::Result<const boost::json::object*> body_object(const boost::json::value& body) {
  if (const auto* obj = body.if_object()) return obj;
  return core::fail(core::Error::invalid_field(
      {"body"}, "Input should be a valid dictionary or object to extract fields from", "model_attributes_type"));
}

void ObjectReader::add_error(std::string_view key, std::string msg, std::string type) {
  add_error(key, {}, std::move(msg), std::move(type));
}

void ObjectReader::add_error(std::string_view key, std::initializer_list<std::string_view> more, std::string msg,
                             std::string type) {
  std::vector<std::string> loc = prefix_;
  loc.emplace_back(key);
  for (const auto m : more) loc.emplace_back(m);
  errors_.push_back({std::move(loc), std::move(msg), std::move(type)});
}

const boost::json::value* ObjectReader::lookup(std::string_view key, Presence p, bool& is_null,
                                               std::string_view type_msg, std::string_view type) {
  read_.emplace_back(key);
  is_null = false;
  const auto* v = body_.if_contains(key);
  if (!v) {
    if (p == Presence::required) add_error(key, "Field required", "missing");
    return nullptr;
  }
  if (v->is_null()) {
    if (p == Presence::nullable)
      is_null = true;
    else
      add_error(key, std::string(type_msg), std::string(type));
    return nullptr;
  }
  return v;
}

Read<std::string> ObjectReader::string(std::string_view key, Presence p, const StringRule& rule) {
  constexpr std::string_view type_msg = "Input should be a valid string";
  bool is_null = false;
  const auto* v = lookup(key, p, is_null, type_msg, "string_type");
  if (is_null) return null_value<std::string>();
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    add_error(key, std::string(type_msg), "string_type");
    return std::nullopt;
  }
  const std::string_view s = v->get_string();
  const std::size_t n = utf8_length(s);
  if (n < rule.min_chars) {
    add_error(key, "String should have at least " + characters(rule.min_chars), "string_too_short");
    return std::nullopt;
  }
  if (rule.max_chars != 0 && n > rule.max_chars) {
    add_error(key, "String should have at most " + characters(rule.max_chars), "string_too_long");
    return std::nullopt;
  }
  if (rule.not_blank && is_blank(s)) {
    add_error(key, value_error_msg(std::string(key) + " must not be blank"), "value_error");
    return std::nullopt;
  }
  if (rule.valid && !rule.valid(s)) {
    add_error(key, std::string(rule.invalid_msg), "value_error");
    return std::nullopt;
  }
  return std::string(s);
}

Read<std::string> ObjectReader::choice(std::string_view key, Presence p,
                                       std::initializer_list<std::string_view> allowed) {
  return choice(key, p, std::span<const std::string_view>(allowed.begin(), allowed.size()));
}

Read<std::string> ObjectReader::choice(std::string_view key, Presence p, std::span<const std::string_view> allowed) {
  auto s = string(key, p);
  if (!s || !*s) return s;
  if (std::find(allowed.begin(), allowed.end(), **s) != allowed.end()) return s;
  // "Input should be 'a', 'b' or 'c'"
  std::string msg = "Input should be ";
  std::size_t i = 0;
  for (const auto a : allowed) {
    if (i > 0) msg += i + 1 == allowed.size() ? " or " : ", ";
    msg += '\'';
    msg += a;
    msg += '\'';
    ++i;
  }
  add_error(key, std::move(msg), "literal_error");
  return std::nullopt;
}

Read<std::int64_t> ObjectReader::integer(std::string_view key, Presence p, const IntRule& rule) {
  constexpr std::string_view type_msg = "Input should be a valid integer";
  bool is_null = false;
  const auto* v = lookup(key, p, is_null, type_msg, "int_type");
  if (is_null) return null_value<std::int64_t>();
  if (!v) return std::nullopt;

  std::int64_t n = 0;
  int beyond = 0;  // -1 / +1: an integer outside the int64 range
  if (const auto* i = v->if_int64()) {
    n = *i;
  } else if (v->is_uint64()) {
    beyond = 1;  // Boost.JSON stores every integer that fits as int64
  } else if (const auto* d = v->if_double()) {
    if (!std::isfinite(*d)) {
      add_error(key, "Input should be a finite number", "finite_number");
      return std::nullopt;
    }
    if (std::trunc(*d) != *d) {
      add_error(key, "Input should be a valid integer, got a number with a fractional part", "int_from_float");
      return std::nullopt;
    }
    if (*d >= two_pow_63)
      beyond = 1;
    else if (*d < -two_pow_63)
      beyond = -1;
    else
      n = static_cast<std::int64_t>(*d);
  } else {
    add_error(key, std::string(type_msg), "int_type");
    return std::nullopt;
  }

  if (rule.min && (beyond < 0 || (beyond == 0 && n < *rule.min))) {
    add_error(key, "Input should be greater than or equal to " + std::to_string(*rule.min), "greater_than_equal");
    return std::nullopt;
  }
  if (rule.max && (beyond > 0 || (beyond == 0 && n > *rule.max))) {
    add_error(key, "Input should be less than or equal to " + std::to_string(*rule.max), "less_than_equal");
    return std::nullopt;
  }
  if (beyond != 0) {
    add_error(key, "Input should be a valid integer, number is out of range", "int_parsing_size");
    return std::nullopt;
  }
  return n;
}

Read<double> ObjectReader::number(std::string_view key, Presence p) {
  constexpr std::string_view type_msg = "Input should be a valid number";
  bool is_null = false;
  const auto* v = lookup(key, p, is_null, type_msg, "float_type");
  if (is_null) return null_value<double>();
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    add_error(key, std::string(type_msg), "float_type");
    return std::nullopt;
  }
  const double d = v->to_number<double>();
  // 1e400 parses as infinity; it could be neither compared nor served as JSON.
  if (!std::isfinite(d)) {
    add_error(key, "Input should be a finite number", "finite_number");
    return std::nullopt;
  }
  return d;
}

Read<bool> ObjectReader::boolean(std::string_view key, Presence p) {
  constexpr std::string_view type_msg = "Input should be a valid boolean";
  bool is_null = false;
  const auto* v = lookup(key, p, is_null, type_msg, "bool_type");
  if (is_null) return null_value<bool>();
  if (!v) return std::nullopt;
  if (const auto* b = v->if_bool()) return *b;
  add_error(key, std::string(type_msg), "bool_type");
  return std::nullopt;
}

namespace {

// The array at `key`, or nullptr (with its error recorded) when it is not
// one or holds more than `max_items`.
template <class AddError>
const boost::json::array* list_of(const boost::json::value* v, std::size_t max_items, AddError add_error) {
  const auto* arr = v->if_array();
  if (!arr) {
    add_error("Input should be a valid list", "list_type");
    return nullptr;
  }
  if (arr->size() > max_items) {
    add_error("List should have at most " + std::to_string(max_items) + (max_items == 1 ? " item" : " items") +
                  " after validation, not " + std::to_string(arr->size()),
              "too_long");
    return nullptr;
  }
  return arr;
}

}  // namespace

Read<std::vector<std::string>> ObjectReader::string_list(std::string_view key, Presence p, const StringRule& rule,
                                                         std::size_t max_items) {
  bool is_null = false;
  const auto* v = lookup(key, p, is_null, "Input should be a valid list", "list_type");
  if (is_null) return null_value<std::vector<std::string>>();
  if (!v) return std::nullopt;
  const auto* arr = list_of(v, max_items, [&](std::string msg, std::string type) {
    add_error(key, std::move(msg), std::move(type));
  });
  if (!arr) return std::nullopt;
  // Each item is read as a one-key object so that it gets the string checks.
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string index = std::to_string(i);
    boost::json::object one;
    one[index] = (*arr)[i];
    std::vector<std::string> loc = prefix_;
    loc.emplace_back(key);
    ObjectReader item(one, std::move(loc));
    auto s = item.string(index, Presence::required, rule);
    if (auto done = item.finish({}); !done) {
      for (auto& e : done.error().fields) errors_.push_back(std::move(e));
      ok = false;
      continue;
    }
    out.push_back(std::move(**s));
  }
  if (!ok) return std::nullopt;
  return out;
}

Read<std::map<std::string, std::string>> ObjectReader::string_map(std::string_view key, Presence p,
                                                                  const StringRule& key_rule,
                                                                  const StringRule& value_rule,
                                                                  std::size_t max_items) {
  bool is_null = false;
  const auto* v = lookup(key, p, is_null, "Input should be a valid dictionary", "dict_type");
  if (is_null) return null_value<std::map<std::string, std::string>>();
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    add_error(key, "Input should be a valid dictionary", "dict_type");
    return std::nullopt;
  }
  const auto& obj = v->as_object();
  if (obj.size() > max_items) {
    add_error(key, "Dictionary should have at most " + std::to_string(max_items) + " items", "too_long");
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  bool ok = true;
  for (const auto& [name, value] : obj) {
    // The key is checked as a string of its own, then the value under it.
    boost::json::object one;
    one[name] = boost::json::string(name);
    std::vector<std::string> loc = prefix_;
    loc.emplace_back(key);
    ObjectReader key_reader(one, loc);
    key_reader.string(name, Presence::required, key_rule);
    boost::json::object holder;
    holder[name] = value;
    ObjectReader value_reader(holder, std::move(loc));
    auto text = value_reader.string(name, Presence::required, value_rule);
    for (auto* reader : {&key_reader, &value_reader})
      if (auto done = reader->finish({}); !done) {
        for (auto& e : done.error().fields) errors_.push_back(std::move(e));
        ok = false;
      }
    if (ok && text) out.emplace(std::string(name), std::move(**text));
  }
  if (!ok) return std::nullopt;
  return out;
}

Read<std::vector<std::int64_t>> ObjectReader::integer_list(std::string_view key, Presence p, const IntRule& rule,
                                                           std::size_t max_items) {
  bool is_null = false;
  const auto* v = lookup(key, p, is_null, "Input should be a valid list", "list_type");
  if (is_null) return null_value<std::vector<std::int64_t>>();
  if (!v) return std::nullopt;
  const auto* arr = list_of(v, max_items, [&](std::string msg, std::string type) {
    add_error(key, std::move(msg), std::move(type));
  });
  if (!arr) return std::nullopt;
  std::vector<std::int64_t> out;
  bool ok = true;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string index = std::to_string(i);
    boost::json::object one;
    one[index] = (*arr)[i];
    std::vector<std::string> loc = prefix_;
    loc.emplace_back(key);
    ObjectReader item(one, std::move(loc));
    auto n = item.integer(index, Presence::required, rule);
    if (auto done = item.finish({}); !done) {
      for (auto& e : done.error().fields) errors_.push_back(std::move(e));
      ok = false;
      continue;
    }
    out.push_back(**n);
  }
  if (!ok) return std::nullopt;
  return out;
}

Read<core::Timestamp> ObjectReader::datetime(std::string_view key, Presence p) {
  constexpr std::string_view type_msg = "Input should be a valid datetime";
  bool is_null = false;
  const auto* v = lookup(key, p, is_null, type_msg, "datetime_type");
  if (is_null) return null_value<core::Timestamp>();
  if (!v) return std::nullopt;
  const auto* s = v->if_string();
  if (!s) {
    add_error(key, std::string(type_msg), "datetime_type");
    return std::nullopt;
  }
  if (auto t = core::parse_iso8601(*s)) return *t;
  add_error(key, std::string(type_msg), "datetime_parsing");
  return std::nullopt;
}

core::Result<void> ObjectReader::finish(std::initializer_list<std::string_view> read_only) {
  for (const auto& kv : body_) {
    const std::string_view key = kv.key();
    if (std::find(read_.begin(), read_.end(), key) != read_.end()) continue;
    if (std::find(read_only.begin(), read_only.end(), key) != read_only.end()) continue;
    add_error(key, "Extra inputs are not permitted", "extra_forbidden");
  }
  if (errors_.empty()) return {};
  return core::fail(core::Error::invalid(std::move(errors_)));
}

}  // namespace sentinel::domain::detail
