#include "domain/message_template_go_format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "domain/message_template_text.hpp"

namespace sentinel::domain::template_detail {

namespace {

using Kind = Value::Kind;

// Bounds printf's width and precision, which a template author controls.
constexpr std::size_t max_printf_width = 256;

// --- numbers

// v = 0.d × 10^dp with trailing zeros removed (Go's decimalSlice); zero has
// no digits.
struct Digits {
  std::string d;
  int dp = 0;
};

// |v| rounded to `sig` significant digits, or to the shortest round-trip
// digits when sig < 0. `v` is finite.
Digits decimal_digits(double v, int sig) {
  std::string buf(static_cast<std::size_t>(std::max(sig, 0)) + 64, '\0');
  char* const b = buf.data();
  char* const e = b + buf.size();
  const double a = std::fabs(v);
  const auto r = sig < 0 ? std::to_chars(b, e, a, std::chars_format::scientific)
                         : std::to_chars(b, e, a, std::chars_format::scientific, sig - 1);
  Digits out;
  if (r.ec != std::errc{}) return out;  // cannot happen: the buffer fits the precision
  const std::string_view s(b, static_cast<std::size_t>(r.ptr - b));
  const std::size_t epos = s.find('e');
  for (std::size_t k = 0; k < epos && k < s.size(); ++k)
    if (is_digit(s[k])) out.d.push_back(s[k]);
  int exp = 0;
  if (epos != std::string_view::npos) {
    std::size_t k = epos + 1;
    if (k < s.size() && s[k] == '+') ++k;
    std::from_chars(s.data() + k, s.data() + s.size(), exp);
  }
  while (!out.d.empty() && out.d.back() == '0') out.d.pop_back();
  out.dp = out.d.empty() ? 0 : exp + 1;
  return out;
}

std::string fmt_e(const Digits& d, int prec, char e) {
  std::string out(1, d.d.empty() ? '0' : d.d[0]);
  if (prec > 0) {
    out.push_back('.');
    for (int k = 1; k <= prec; ++k) {
      const auto idx = static_cast<std::size_t>(k);
      out.push_back(idx < d.d.size() ? d.d[idx] : '0');
    }
  }
  int exp = d.d.empty() ? 0 : d.dp - 1;
  out.push_back(e);
  out.push_back(exp < 0 ? '-' : '+');
  if (exp < 0) exp = -exp;
  if (exp < 10) out.push_back('0');
  out += std::to_string(exp);
  return out;
}

std::string fmt_f(const Digits& d, int prec) {
  std::string out;
  const int nd = static_cast<int>(d.d.size());
  if (d.dp > 0) {
    for (int k = 0; k < d.dp; ++k) out.push_back(k < nd ? d.d[static_cast<std::size_t>(k)] : '0');
  } else {
    out.push_back('0');
  }
  if (prec > 0) {
    out.push_back('.');
    for (int k = 0; k < prec; ++k) {
      const int j = d.dp + k;
      out.push_back(j >= 0 && j < nd ? d.d[static_cast<std::size_t>(j)] : '0');
    }
  }
  return out;
}

std::string to_chars_fixed_or_sci(double v, bool fixed, std::size_t prec) {
  std::string buf(prec + 400, '\0');  // DBL_MAX has 309 integer digits
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v,
                               fixed ? std::chars_format::fixed : std::chars_format::scientific, static_cast<int>(prec));
  if (r.ec != std::errc{}) return go_g(v, -1);
  buf.resize(static_cast<std::size_t>(r.ptr - buf.data()));
  return buf;
}

// --- padding and quoting

std::string pad(std::string s, const Spec& sp) {
  if (!sp.has_width) return s;
  const std::size_t n = rune_count(s);
  if (n >= sp.width) return s;
  const std::size_t fill = sp.width - n;
  if (sp.minus) {
    s.append(fill, ' ');
  } else {
    s.insert(0, fill, ' ');
  }
  return s;
}

// Zero padding goes after the sign, as Go's fmt does for numbers.
std::string pad_number(std::string s, const Spec& sp) {
  if (sp.has_width && sp.zero && !sp.minus) {
    const std::size_t n = rune_count(s);
    if (n < sp.width) {
      const std::size_t at = (!s.empty() && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) ? 1 : 0;
      s.insert(at, sp.width - n, '0');
    }
    return s;
  }
  return pad(std::move(s), sp);
}

std::string go_quote_rune_body(char32_t cp, char quote) {
  switch (cp) {
    case '\a': return "\\a";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '\v': return "\\v";
    case '\\': return "\\\\";
    default: break;
  }
  if (cp == static_cast<char32_t>(quote)) return std::string("\\") + quote;
  static constexpr char hex[] = "0123456789abcdef";
  if (cp < 0x20 || cp == 0x7F) return std::string("\\x") + hex[cp >> 4] + hex[cp & 15];
  if (cp >= 0x80 && cp < 0xA0) return std::string("\\u00") + hex[cp >> 4] + hex[cp & 15];
  std::string out;
  append_utf8(out, cp);
  return out;
}

// --- one verb of one Go type

std::string bad_verb(const Value& v, char32_t verb) {
  std::string out = "%!";
  append_utf8(out, verb);
  out.push_back('(');
  if (v.kind == Kind::nil) {
    out += "<nil>";
  } else {
    out += type_name(v);
    out.push_back('=');
    out += format_value(v, 'v', Spec{});
  }
  out.push_back(')');
  return out;
}

std::string format_integer(std::int64_t v, char32_t verb, const Spec& sp) {
  if (verb == 'c' || verb == 'q' || verb == 'U') {
    const auto cp = (v < 0 || v > 0x10FFFF) ? char32_t{0xFFFD} : static_cast<char32_t>(v);
    std::string out;
    if (verb == 'c') {
      append_utf8(out, cp);
    } else if (verb == 'q') {
      out = "'" + go_quote_rune_body(cp, '\'') + "'";
    } else {
      static constexpr char hex[] = "0123456789ABCDEF";
      std::string digits;
      for (std::uint64_t u = static_cast<std::uint64_t>(v); u != 0; u >>= 4) digits.insert(digits.begin(), hex[u & 15]);
      while (digits.size() < 4) digits.insert(digits.begin(), '0');
      out = "U+" + digits;
    }
    return pad(std::move(out), sp);
  }
  unsigned base = 10;
  const char* alphabet = "0123456789abcdef";
  std::string prefix;
  switch (verb) {
    case 'd':
    case 'v': break;
    case 'x': base = 16; prefix = sp.sharp ? "0x" : ""; break;
    case 'X': base = 16; alphabet = "0123456789ABCDEF"; prefix = sp.sharp ? "0X" : ""; break;
    case 'o': base = 8; prefix = sp.sharp ? "0" : ""; break;
    case 'O': base = 8; prefix = "0o"; break;
    case 'b': base = 2; prefix = sp.sharp ? "0b" : ""; break;
    default: {
      Value w;
      w.kind = Kind::integer;
      w.i = v;
      return bad_verb(w, verb);
    }
  }
  const bool neg = v < 0;
  std::uint64_t mag = neg ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  std::string digits;
  do {
    digits.insert(digits.begin(), alphabet[mag % base]);
    mag /= base;
  } while (mag != 0);
  if (sp.has_prec) {
    if (sp.prec == 0 && v == 0) digits.clear();
    if (digits.size() < sp.prec) digits.insert(0, sp.prec - digits.size(), '0');
  } else if (sp.has_width && sp.zero && !sp.minus) {
    const std::size_t sign = (neg || sp.plus || sp.space) ? 1 : 0;
    if (digits.size() + sign < sp.width) digits.insert(0, sp.width - sign - digits.size(), '0');
  }
  if (prefix == "0" && !digits.empty() && digits[0] == '0') prefix.clear();
  const std::string sign = neg ? "-" : sp.plus ? "+" : sp.space ? " " : "";
  return pad(sign + prefix + digits, sp);
}

std::string format_float(double v, char32_t verb, const Spec& sp) {
  std::string num;
  const int prec = sp.has_prec ? static_cast<int>(sp.prec) : -1;
  switch (verb) {
    case 'v':
    case 'g': num = go_g(v, prec); break;
    case 'G': num = go_g(v, prec, 'E'); break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
      if (std::isnan(v) || std::isinf(v)) {
        num = go_g(v, -1);
      } else {
        num = to_chars_fixed_or_sci(v, verb == 'f' || verb == 'F', sp.has_prec ? sp.prec : 6);
        if (verb == 'E') std::replace(num.begin(), num.end(), 'e', 'E');
      }
      break;
    default: {
      Value w;
      w.kind = Kind::floating;
      w.f = v;
      return bad_verb(w, verb);
    }
  }
  if (std::isnan(v)) {
    if (sp.plus) num = "+NaN";
    else if (sp.space) num = " NaN";
    return pad(std::move(num), sp);  // never zero-padded, as in Go
  }
  if (std::isinf(v)) {
    if (v > 0 && sp.space && !sp.plus) num[0] = ' ';
    return pad(std::move(num), sp);
  }
  if (num[0] != '-') {
    if (sp.plus) num.insert(0, 1, '+');
    else if (sp.space) num.insert(0, 1, ' ');
  }
  return pad_number(std::move(num), sp);
}

std::string format_string(std::string_view s, char32_t verb, const Spec& sp) {
  static constexpr char lower[] = "0123456789abcdef";
  static constexpr char upper[] = "0123456789ABCDEF";
  switch (verb) {
    case 's':
    case 'v': {
      std::string_view t = s;
      if (sp.has_prec) {  // precision counts characters
        std::size_t i = 0;
        for (std::size_t n = 0; i < t.size() && n < sp.prec; ++n) {
          std::size_t len = 0;
          decode_rune(t, i, len);
          i += std::max<std::size_t>(len, 1);
        }
        t = t.substr(0, i);
      }
      return pad(std::string(t), sp);
    }
    case 'q': return pad(go_quote(s), sp);
    case 'x':
    case 'X': {
      const char* hex = verb == 'x' ? lower : upper;
      std::string out;
      for (const char c : s) {
        const auto b = static_cast<unsigned char>(c);
        out.push_back(hex[b >> 4]);
        out.push_back(hex[b & 15]);
      }
      return pad(std::move(out), sp);
    }
    default: {
      Value w;
      w.kind = Kind::string;
      w.s = std::string(s);
      return bad_verb(w, verb);
    }
  }
}

}  // namespace

std::string go_g(double v, int prec, char e) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  const bool shortest = prec < 0;
  if (prec == 0) prec = 1;
  const Digits d = decimal_digits(v, shortest ? -1 : prec);
  const int nd = static_cast<int>(d.d.size());
  if (shortest) prec = nd;
  int eprec = prec;
  if (eprec > nd && nd >= d.dp) eprec = nd;
  if (shortest) eprec = 6;
  const int exp = d.dp - 1;
  std::string out = std::signbit(v) ? "-" : "";
  if (exp < -4 || exp >= eprec) {
    out += fmt_e(d, std::min(prec, nd) - 1, e);
  } else {
    out += fmt_f(d, std::max((prec > d.dp ? nd : prec) - d.dp, 0));
  }
  return out;
}

std::string type_name(const Value& v) {
  switch (v.kind) {
    case Kind::nil: return "<nil>";
    case Kind::absent:
    case Kind::floating: return "float64";
    case Kind::boolean: return "bool";
    case Kind::integer: return "int";
    case Kind::string: return "string";
    case Kind::map: return "map[string]string";
    case Kind::root:
      return "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }";
  }
  return "?";
}

std::string go_quote(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 0;
    const char32_t cp = decode_rune(s, i, len);
    if (len == 0) {
      const auto b = static_cast<unsigned char>(s[i]);
      out += "\\x";
      out.push_back(hex[b >> 4]);
      out.push_back(hex[b & 15]);
      ++i;
      continue;
    }
    out += go_quote_rune_body(cp, '"');
    i += len;
  }
  out.push_back('"');
  return out;
}

std::string format_value(const Value& v, char32_t verb, const Spec& sp) {
  switch (v.kind) {
    case Kind::absent: return "";
    case Kind::nil: return verb == 'v' ? pad("<nil>", sp) : bad_verb(v, verb);
    case Kind::boolean: return (verb == 'v' || verb == 't') ? pad(v.b ? "true" : "false", sp) : bad_verb(v, verb);
    case Kind::integer: return format_integer(v.i, verb, sp);
    case Kind::floating: return format_float(v.f, verb, sp);
    case Kind::string: return format_string(v.s, verb, sp);
    case Kind::map: {
      std::string out = "map[";
      bool first = true;
      for (const auto& [k, val] : *v.m) {
        if (!first) out.push_back(' ');
        first = false;
        out += format_string(k, verb, sp);
        out.push_back(':');
        out += format_string(val, verb, sp);
        if (out.size() > max_value_bytes) break;
      }
      out.push_back(']');
      return out;
    }
    case Kind::root: return bad_verb(v, verb);  // formatted by the executor, which holds the data
  }
  return "";
}

std::string go_sprintf(std::string_view f, const std::vector<Value>& args, std::size_t first_arg) {
  const std::size_t nargs = args.size() - first_arg;
  auto arg = [&](std::size_t n) -> const Value& { return args[first_arg + n]; };
  std::string out;
  std::size_t argn = 0;
  bool reordered = false;
  const std::size_t end = f.size();

  auto parse_index = [&](std::size_t& i, bool& good, bool& after_index) {
    if (i >= end || f[i] != '[') return;
    reordered = true;
    const std::size_t close = f.find(']', i + 1);
    if (close == std::string_view::npos) {
      good = false;
      i += 1;
      return;
    }
    const std::string_view digits = f.substr(i + 1, close - i - 1);
    std::size_t n = 0;
    const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    i = close + 1;
    if (digits.empty() || r.ec != std::errc{} || r.ptr != digits.data() + digits.size() || n < 1 || n > nargs) {
      good = false;
      return;
    }
    argn = n - 1;
    after_index = true;
  };
  auto parse_num = [&](std::size_t& i) {
    std::size_t n = 0;
    while (i < end && is_digit(f[i])) {
      n = std::min<std::size_t>(n * 10 + static_cast<std::size_t>(f[i] - '0'), 1'000'000);
      ++i;
    }
    return std::min(n, max_printf_width);
  };
  auto int_arg = [&](std::int64_t& n) {
    if (argn >= nargs || arg(argn).kind != Kind::integer) {
      ++argn;
      return false;
    }
    n = arg(argn).i;
    ++argn;
    return n >= -1'000'000 && n <= 1'000'000;
  };

  for (std::size_t i = 0; i < end;) {
    const std::size_t pct = f.find('%', i);
    out.append(f.substr(i, (pct == std::string_view::npos ? end : pct) - i));
    if (pct == std::string_view::npos || out.size() > max_value_bytes) break;
    i = pct + 1;
    Spec sp;
    for (; i < end; ++i) {
      const char c = f[i];
      if (c == '#') sp.sharp = true;
      else if (c == '0') sp.zero = !sp.minus;
      else if (c == '+') sp.plus = true;
      else if (c == '-') { sp.minus = true; sp.zero = false; }
      else if (c == ' ') sp.space = true;
      else break;
    }
    bool good = true;
    bool after_index = false;
    parse_index(i, good, after_index);
    if (i < end && f[i] == '*') {
      ++i;
      std::int64_t w = 0;
      if (!int_arg(w)) {
        out += "%!(BADWIDTH)";
      } else {
        sp.has_width = true;
        if (w < 0) {
          sp.minus = true;
          sp.zero = false;
          w = -w;
        }
        sp.width = std::min(static_cast<std::size_t>(w), max_printf_width);
      }
      after_index = false;
    } else {
      const std::size_t start = i;
      sp.width = parse_num(i);
      sp.has_width = i != start;
      if (after_index && sp.has_width) good = false;
    }
    if (i < end && f[i] == '.') {
      ++i;
      if (after_index) good = false;
      parse_index(i, good, after_index);
      sp.has_prec = true;
      if (i < end && f[i] == '*') {
        ++i;
        std::int64_t p = 0;
        if (!int_arg(p)) {
          out += "%!(BADPREC)";
          sp.has_prec = false;
        } else if (p < 0) {
          sp.has_prec = false;
        } else {
          sp.prec = std::min(static_cast<std::size_t>(p), max_printf_width);
        }
        after_index = false;
      } else {
        sp.prec = parse_num(i);
      }
    }
    if (!after_index) parse_index(i, good, after_index);
    if (i >= end) {
      out += "%!(NOVERB)";
      break;
    }
    std::size_t len = 0;
    const char32_t verb = decode_rune(f, i, len);
    i += std::max<std::size_t>(len, 1);
    if (verb == '%') {
      out.push_back('%');
    } else if (!good) {
      out += "%!";
      append_utf8(out, verb);
      out += "(BADINDEX)";
    } else if (argn >= nargs) {
      out += "%!";
      append_utf8(out, verb);
      out += "(MISSING)";
    } else {
      out += format_value(arg(argn), verb, sp);
      ++argn;
    }
  }
  if (!reordered && argn < nargs && out.size() <= max_value_bytes) {
    out += "%!(EXTRA ";
    for (std::size_t k = argn; k < nargs; ++k) {
      if (k > argn) out += ", ";
      if (arg(k).kind == Kind::nil) {
        out += "<nil>";
      } else {
        out += type_name(arg(k)) + "=" + format_value(arg(k), 'v', Spec{});
      }
    }
    out.push_back(')');
  }
  cap_string(out);
  return out;
}

bool parse_go_float(std::string_view s, double& v, std::string& err) {
  std::string_view t = s;
  bool neg = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    neg = t[0] == '-';
    t.remove_prefix(1);
  }
  auto lower_eq = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return (x >= 'A' && x <= 'Z' ? static_cast<char>(x - 'A' + 'a') : x) == y;
           });
  };
  if (lower_eq(t, "inf") || lower_eq(t, "infinity")) {
    v = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (lower_eq(t, "nan")) {
    v = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  const bool ok_chars = !t.empty() && t[0] != '+' && t[0] != '-' && std::all_of(t.begin(), t.end(), [](char c) {
    return is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
  });
  double parsed = 0;
  const auto r = ok_chars ? std::from_chars(t.data(), t.data() + t.size(), parsed) : std::from_chars_result{};
  if (!ok_chars || r.ptr != t.data() + t.size() || (r.ec != std::errc{} && r.ec != std::errc::result_out_of_range)) {
    err = "strconv.ParseFloat: parsing " + go_quote(s) + ": invalid syntax";
    return false;
  }
  if (r.ec == std::errc::result_out_of_range) {
    err = "strconv.ParseFloat: parsing " + go_quote(s) + ": value out of range";
    return false;
  }
  v = neg ? -parsed : parsed;
  return true;
}

}  // namespace sentinel::domain::template_detail
