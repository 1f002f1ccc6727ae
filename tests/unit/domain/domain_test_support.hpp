#pragma once
// Helpers shared by the domain tests: build bodies from JSON text and show a
// 422's field errors as "loc|type|msg" strings that read well in failures.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sentinel::domain::test {

inline boost::json::value body(std::string_view text) { return boost::json::parse(text); }

inline std::string describe(const core::FieldError& e) {
  std::string out;
  for (const auto& part : e.loc) {
    if (!out.empty()) out += '.';
    out += part;
  }
  out += '|';
  out += e.type;
  out += '|';
  out += e.msg;
  return out;
}

// Every field error of a failed result, in order; empty (and a test failure)
// when the result is not a 422.
template <class T>
std::vector<std::string> errors_of(const core::Result<T>& r) {
  std::vector<std::string> out;
  if (r.has_value()) {
    ADD_FAILURE() << "expected a validation error, got a value";
    return out;
  }
  EXPECT_EQ(r.error().kind, core::ErrorKind::invalid);
  for (const auto& e : r.error().fields) out.push_back(describe(e));
  return out;
}

inline std::set<std::string> keys_of(const boost::json::value& v) {
  std::set<std::string> out;
  for (const auto& kv : v.as_object()) out.emplace(kv.key());
  return out;
}

}  // namespace sentinel::domain::test
