#pragma once
// Internal to sentinel_domain: the few value conversions every to_json needs,
// so times, nulls and numbers look the same in every response.
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace sentinel::domain::detail {

inline boost::json::value json_of(core::Timestamp t) { return boost::json::value(core::format_iso8601(t)); }

// NaN and ±Inf have no JSON spelling (Boost.JSON would write "Infinity").
inline boost::json::value json_of(double d) {
  if (!std::isfinite(d)) return nullptr;
  return boost::json::value(d);
}

inline boost::json::value json_of(const std::optional<double>& d) { return d ? json_of(*d) : nullptr; }

inline boost::json::value json_of(const std::optional<core::Timestamp>& t) { return t ? json_of(*t) : nullptr; }

inline boost::json::value json_of(const std::optional<std::int64_t>& n) {
  return n ? boost::json::value(*n) : boost::json::value(nullptr);
}

inline boost::json::value json_of(const std::optional<std::string>& s) {
  return s ? boost::json::value(*s) : boost::json::value(nullptr);
}

}  // namespace sentinel::domain::detail
