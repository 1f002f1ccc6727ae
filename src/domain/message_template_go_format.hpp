#pragma once
// Internal to sentinel_domain: Go's fmt and strconv as alert templates meet
// them, so printf, print and the humanize functions give the text Prometheus
// gives, digit for digit.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "domain/message_template_program.hpp"

namespace sentinel::domain::template_detail {

// The flags, width and precision of one fmt verb.
struct Spec {
  bool minus = false;
  bool plus = false;
  bool space = false;
  bool zero = false;
  bool sharp = false;
  bool has_width = false;
  std::size_t width = 0;
  bool has_prec = false;
  std::size_t prec = 0;
};

// Go's strconv.FormatFloat(v, 'g', prec, 64) (prec < 0: shortest), which is
// also fmt's %v of a float64: the exponent form below 1e-4 and from 1e+06 (or
// the precision) up.
std::string go_g(double v, int prec, char e = 'e');

// Go's type name of a value, as fmt prints it in %!verb(type=value).
std::string type_name(const Value& v);

// strconv.Quote, with every code point from U+00A0 up counted as printable.
std::string go_quote(std::string_view s);

// One fmt verb applied to one value. A map prints as map[k:v ...]; the alert
// data (Kind::root) is left to the executor, which holds it.
std::string format_value(const Value& v, char32_t verb, const Spec& sp);

// Go's fmt.Sprintf(args[first_arg], args[first_arg + 1]...), cut at
// max_value_bytes.
std::string go_sprintf(std::string_view f, const std::vector<Value>& args, std::size_t first_arg);

// strconv.ParseFloat(s, 64), whose error texts Prometheus shows.
bool parse_go_float(std::string_view s, double& v, std::string& err);

}  // namespace sentinel::domain::template_detail
