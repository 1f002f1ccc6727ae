#include "domain/message_template.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "core/utf8.hpp"

namespace sentinel::domain {

namespace template_detail {

using LabelMap = std::map<std::string, std::string>;

// A value while executing: the few Go types a Prometheus alert template can
// meet. `absent` is Sentinel's "no data" $value.
struct Value {
  enum class Kind : std::uint8_t { nil, absent, boolean, integer, floating, string, map, root };
  Kind kind = Kind::nil;
  bool b = false;
  std::int64_t i = 0;
  double f = 0;
  std::string s;
  const LabelMap* m = nullptr;
};

enum class Func : std::uint8_t {
  humanize,
  humanize1024,
  humanize_duration,
  humanize_percentage,
  humanize_timestamp,
  printf_,
  print,
  println,
  to_upper,
  to_lower,
  title,
  strip_port,
  safe_html,
  external_url,
  path_prefix,
  index,
  len,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  and_,
  or_,
  not_,
};

struct Pipeline;

struct Operand {
  enum class Kind : std::uint8_t { literal, dot, variable, function, pipeline };
  Kind kind = Kind::literal;
  std::size_t pos = 0;
  std::size_t end = 0;  // one past its text, for error messages
  Value literal;
  std::size_t slot = 0;
  Func func = Func::humanize;
  std::unique_ptr<Pipeline> sub;
  std::vector<std::string> fields;  // .a.b applied to the operand
};

struct Command {
  std::size_t pos = 0;
  bool is_call = false;  // a function call; otherwise a single operand
  Func func = Func::humanize;
  std::string_view name;  // function name, for error messages (points into a static table)
  std::vector<Operand> args;
};

struct Pipeline {
  std::size_t pos = 0;
  std::vector<std::size_t> decls;  // variable slots declared or assigned
  std::vector<Command> cmds;
};

struct Node;
using NodeList = std::vector<Node>;

struct Branch {
  Pipeline cond;
  NodeList body;
};

struct Node {
  enum class Kind : std::uint8_t { text, action, if_, with, range, break_, continue_ };
  Kind kind = Kind::text;
  std::size_t pos = 0;
  std::string text;
  Pipeline pipe;                 // action, range
  std::vector<Branch> branches;  // if / else if, with / else with
  NodeList body;                 // range
  NodeList else_body;            // if, with, range
};

struct Program {
  NodeList root;
  std::size_t slot_count = 0;
  std::string text;  // for the line and column of an execution error
};

}  // namespace template_detail

namespace {

using namespace template_detail;
using Kind = Value::Kind;

constexpr std::size_t max_value_bytes = MessageTemplate::max_output_bytes;  // any string built while executing
constexpr std::size_t max_printf_width = 256;
constexpr std::size_t work_budget = 200'000;  // nodes + commands + produced bytes / 64

// The variables Prometheus defines by prefixing every template.
constexpr std::size_t slot_root = 0;
constexpr std::size_t slot_labels = 1;
constexpr std::size_t slot_external_labels = 2;
constexpr std::size_t slot_external_url = 3;
constexpr std::size_t slot_value = 4;
constexpr std::size_t predefined_slots = 5;

constexpr std::size_t variadic = std::numeric_limits<std::size_t>::max();

struct FuncInfo {
  std::string_view name;
  Func func;
  std::size_t min_args;
  std::size_t max_args;
};

constexpr std::array<FuncInfo, 26> functions{{
    {"humanize", Func::humanize, 1, 1},
    {"humanize1024", Func::humanize1024, 1, 1},
    {"humanizeDuration", Func::humanize_duration, 1, 1},
    {"humanizePercentage", Func::humanize_percentage, 1, 1},
    {"humanizeTimestamp", Func::humanize_timestamp, 1, 1},
    {"printf", Func::printf_, 1, variadic},
    {"print", Func::print, 0, variadic},
    {"println", Func::println, 0, variadic},
    {"toUpper", Func::to_upper, 1, 1},
    {"toLower", Func::to_lower, 1, 1},
    {"title", Func::title, 1, 1},
    {"stripPort", Func::strip_port, 1, 1},
    {"safeHtml", Func::safe_html, 1, 1},
    {"externalURL", Func::external_url, 0, 0},
    {"pathPrefix", Func::path_prefix, 0, 0},
    {"index", Func::index, 1, variadic},
    {"len", Func::len, 1, 1},
    {"eq", Func::eq, 2, variadic},
    {"ne", Func::ne, 2, 2},
    {"lt", Func::lt, 2, 2},
    {"le", Func::le, 2, 2},
    {"gt", Func::gt, 2, 2},
    {"ge", Func::ge, 2, 2},
    {"and", Func::and_, 1, variadic},
    {"or", Func::or_, 1, variadic},
    {"not", Func::not_, 1, 1},
}};

// Functions of Prometheus or Go that Sentinel deliberately does not offer:
// they query Prometheus, or run regular expressions whose cost a template
// author controls (std::regex backtracks and recurses per character).
constexpr std::array<std::string_view, 20> unsupported_functions{
    "query", "first",   "label",    "value", "strvalue", "sortByLabel", "match", "reReplaceAll", "graphLink", "tableLink",
    "args",  "toTime",  "toDuration", "now", "parseDuration", "html",   "js",    "urlquery",     "slice",     "call"};

constexpr std::array<std::string_view, 12> keywords{"if",    "else",     "end",    "range", "with",  "break",
                                                    "continue", "define", "template", "block", "true", "false"};

const LabelMap& empty_map() {
  static const LabelMap m;
  return m;
}

// --- small helpers -----------------------------------------------------------

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) {
  const auto u = static_cast<unsigned char>(c);
  return c == '_' || is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || u >= 0x80;
}

std::size_t rune_count(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Decodes the code point at s[pos]; `len` is its length, 0 for an ill-formed byte.
char32_t decode_rune(std::string_view s, std::size_t pos, std::size_t& len) {
  len = core::utf8_sequence_length(s, pos);
  if (len == 0) return 0xFFFD;
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (len == 1) return b0;
  char32_t cp = b0 & (0x7Fu >> len);
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[pos + k]) & 0x3Fu);
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void cap_string(std::string& s) {
  if (s.size() > max_value_bytes) s.resize(core::utf8_prefix(s, max_value_bytes).size());
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

TemplateError error_at(std::string_view text, std::size_t offset, std::string message) {
  offset = std::min(offset, text.size());
  TemplateError e;
  e.offset = offset;
  e.message = std::move(message);
  const std::size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const std::size_t from = (line_start == std::string_view::npos || offset == 0) ? 0 : line_start + 1;
  e.line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(from), '\n'));
  e.column = 1 + rune_count(text.substr(from, offset - from));
  return e;
}

// --- Go number formatting ----------------------------------------------------

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

// Go's strconv.FormatFloat(v, 'g', prec, 64) (prec < 0: shortest), which is
// also fmt's %v of a float64: the exponent form below 1e-4 and from 1e+06 (or
// the precision) up.
std::string go_g(double v, int prec, char e = 'e') {
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

std::string to_chars_fixed_or_sci(double v, bool fixed, std::size_t prec) {
  std::string buf(prec + 400, '\0');  // DBL_MAX has 309 integer digits
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v,
                               fixed ? std::chars_format::fixed : std::chars_format::scientific, static_cast<int>(prec));
  if (r.ec != std::errc{}) return go_g(v, -1);
  buf.resize(static_cast<std::size_t>(r.ptr - buf.data()));
  return buf;
}

std::string format_int(std::int64_t v) { return std::to_string(v); }

// --- fmt.Sprintf ---------------------------------------------------------------

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

// strconv.Quote, with every code point from U+00A0 up counted as printable.
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

std::string format_value(const Value& v, char32_t verb, const Spec& sp);

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

// Go's fmt.Sprintf over template values.
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

// --- Prometheus's humanize* -------------------------------------------------

std::string humanize(double v) {
  if (v == 0 || std::isnan(v) || std::isinf(v)) return go_g(v, 4);
  if (std::fabs(v) >= 1) {
    std::string_view prefix;
    for (const std::string_view p : {"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return go_g(v, 4) + std::string(prefix);
  }
  std::string_view prefix;
  for (const std::string_view p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return go_g(v, 4) + std::string(prefix);
}

std::string humanize1024(double v) {
  if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v)) return go_g(v, 4);
  std::string_view prefix;
  for (const std::string_view p : {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"}) {
    if (std::fabs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return go_g(v, 4) + std::string(prefix);
}

std::string humanize_duration(double v) {
  if (std::isnan(v) || std::isinf(v)) return go_g(v, 4);
  if (v == 0) return go_g(v, 4) + "s";
  if (std::fabs(v) >= 1) {
    std::string sign;
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    // Go's int64(v) of a huge float is undefined; saturate instead.
    const std::int64_t d = v >= 9.2e18 ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(v);
    const std::int64_t seconds = d % 60;
    const std::int64_t minutes = (d / 60) % 60;
    const std::int64_t hours = (d / 60 / 60) % 24;
    const std::int64_t days = d / 60 / 60 / 24;
    if (days != 0) {
      return sign + format_int(days) + "d " + format_int(hours) + "h " + format_int(minutes) + "m " +
             format_int(seconds) + "s";
    }
    if (hours != 0) return sign + format_int(hours) + "h " + format_int(minutes) + "m " + format_int(seconds) + "s";
    if (minutes != 0) return sign + format_int(minutes) + "m " + format_int(seconds) + "s";
    return sign + go_g(v, 4) + "s";
  }
  std::string_view prefix;
  for (const std::string_view p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return go_g(v, 4) + std::string(prefix) + "s";
}

std::string humanize_percentage(double v) { return go_g(v * 100, 4) + "%"; }

// Go's time.Time.String() of the UTC time, to Prometheus's millisecond
// precision: "2015-06-23 13:19:44.128 +0000 UTC".
bool humanize_timestamp(double v, std::string& out, std::string& err) {
  if (std::isnan(v) || std::isinf(v)) {
    out = go_g(v, 4);
    return true;
  }
  const double ns = v * 1e9;
  if (ns >= 9223372036854775807.0 || ns < -9223372036854775807.0) {
    err = go_g(v, -1) + " cannot be represented as a nanoseconds timestamp since it overflows int64";
    return false;
  }
  const std::int64_t ms = static_cast<std::int64_t>(ns) / 1'000'000;
  std::int64_t secs = ms / 1000;
  std::int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  // Howard Hinnant's civil_from_days.
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  auto two = [](std::int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  std::string y = std::to_string(year < 0 ? -year : year);
  while (y.size() < 4) y.insert(0, 1, '0');
  out = (year < 0 ? "-" : "") + y + "-" + two(month) + "-" + two(day) + " " + two(rem / 3600) + ":" +
        two((rem / 60) % 60) + ":" + two(rem % 60);
  if (frac != 0) {
    std::string f = std::to_string(frac);
    while (f.size() < 3) f.insert(0, 1, '0');
    while (f.back() == '0') f.pop_back();
    out += "." + f;
  }
  out += " +0000 UTC";
  return true;
}

// strconv.ParseFloat(s, 64), whose error texts Prometheus shows.
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

// --- strings ------------------------------------------------------------------

char32_t to_upper_rune(char32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0x80) return c;
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;
  if (c == 0xFF) return 0x178;
  if (c == 0xB5) return 0x39C;
  if (c == 0x131) return 'I';
  if (c == 0x17F) return 'S';
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return (c & 1) ? c - 1 : c;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c : c - 1;
  if (c >= 0x3B1 && c <= 0x3C9) return c == 0x3C2 ? char32_t{0x3A3} : c - 32;
  if (c == 0x3AC) return 0x386;
  if (c >= 0x3AD && c <= 0x3AF) return c - 37;
  if (c == 0x3CC) return 0x38C;
  if (c == 0x3CD || c == 0x3CE) return c - 63;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}

char32_t to_lower_rune(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c == 0x178) return 0xFF;
  if (c == 0x130) return 'i';
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return (c & 1) ? c : c + 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

// strings.Title's word boundary: ASCII other than letters, digits and '_',
// and white space.
bool is_title_separator(char32_t c) {
  if (c < 0x80) return !(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

enum class CaseMode : std::uint8_t { upper, lower, title };

std::string map_case(std::string_view s, CaseMode mode) {
  std::string out;
  out.reserve(s.size());
  char32_t prev = ' ';
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 0;
    const char32_t c = decode_rune(s, i, len);
    if (len == 0) {  // ill-formed byte: kept as it is
      out.push_back(s[i]);
      prev = 0xFFFD;
      ++i;
      continue;
    }
    char32_t m = c;
    if (mode == CaseMode::upper) m = to_upper_rune(c);
    else if (mode == CaseMode::lower) m = to_lower_rune(c);
    else if (is_title_separator(prev)) m = to_upper_rune(c);
    if (m == c) {
      out.append(s.substr(i, len));
    } else {
      append_utf8(out, m);
    }
    prev = c;
    i += len;
  }
  return out;
}

// net.SplitHostPort's host, or the text unchanged when it has no port.
std::string strip_port(std::string_view hp) {
  if (!hp.empty() && hp[0] == '[') {
    const std::size_t close = hp.find(']');
    if (close == std::string_view::npos || close + 1 >= hp.size() || hp[close + 1] != ':') return std::string(hp);
    return std::string(hp.substr(1, close - 1));
  }
  const std::size_t colon = hp.rfind(':');
  if (colon == std::string_view::npos || hp.find(':') != colon) return std::string(hp);
  return std::string(hp.substr(0, colon));
}

// --- lexer and parser ---------------------------------------------------------

enum class Tok : std::uint8_t {
  right_delim,
  identifier,
  field,
  variable,
  dot,
  literal,
  pipe,
  lparen,
  rparen,
  declare,
  assign,
  comma
};

struct Token {
  Tok type = Tok::right_delim;
  std::size_t pos = 0;
  std::size_t end = 0;
  bool space_before = false;
  bool trim = false;  // right_delim: " -}}"
  std::string text;   // identifier, field or variable name
  Value value;        // literal
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::expected<std::shared_ptr<Program>, TemplateError> run() {
    auto program = std::make_shared<Program>();
    if (text_.size() > MessageTemplate::max_template_bytes) {
      return std::unexpected(error_at(text_, MessageTemplate::max_template_bytes,
                                      "template is longer than " +
                                          std::to_string(MessageTemplate::max_template_bytes) + " bytes"));
    }
    for (const std::string_view name : {"$", "$labels", "$externalLabels", "$externalURL", "$value"}) {
      vars_.emplace_back(std::string(name), slot_count_++);
    }
    End end = End::eof;
    if (parse_list(program->root, end) && end != End::eof) {
      fail(action_pos_, end == End::end ? "unexpected {{end}}" : "unexpected {{else}}");
    }
    if (error_) return std::unexpected(*error_);
    program->slot_count = slot_count_;
    program->text = std::string(text_);
    return program;
  }

 private:
  enum class End : std::uint8_t { eof, end, else_ };

  bool fail(std::size_t pos, std::string message) {
    if (!error_) error_ = error_at(text_, pos, std::move(message));
    return false;
  }

  char at(std::size_t p) const { return p < text_.size() ? text_[p] : '\0'; }
  bool starts_with(std::size_t p, std::string_view s) const { return p <= text_.size() && text_.substr(p).starts_with(s); }

  // --- text and actions

  bool parse_list(NodeList& out, End& end) {
    for (;;) {
      const std::size_t open = text_.find("{{", pos_);
      std::string_view segment = text_.substr(pos_, (open == std::string_view::npos ? text_.size() : open) - pos_);
      if (trim_next_) {
        while (!segment.empty() && is_space(segment.front())) segment.remove_prefix(1);
        trim_next_ = false;
      }
      std::size_t start = open + 2;
      if (open != std::string_view::npos && at(start) == '-' && is_space(at(start + 1))) {
        while (!segment.empty() && is_space(segment.back())) segment.remove_suffix(1);
        start += 2;
      }
      if (!segment.empty()) {
        Node n;
        n.kind = Node::Kind::text;
        n.pos = pos_;
        n.text = std::string(segment);
        out.push_back(std::move(n));
      }
      if (open == std::string_view::npos) {
        pos_ = text_.size();
        end = End::eof;
        return true;
      }
      action_pos_ = open;
      if (starts_with(start, "/*")) {
        const std::size_t close = text_.find("*/", start + 2);
        if (close == std::string_view::npos) return fail(open, "unclosed comment");
        std::size_t q = close + 2;
        if (is_space(at(q)) && starts_with(q + 1, "-}}")) {
          trim_next_ = true;
          pos_ = q + 4;
        } else if (starts_with(q, "}}")) {
          pos_ = q + 2;
        } else {
          return fail(q, "comment ends before closing delimiter");
        }
        continue;
      }
      if (!lex_action(start)) return false;
      const Token& t = peek();
      if (t.type == Tok::identifier) {
        if (t.text == "end") {
          next();
          if (!expect_right_delim("end")) return false;
          end = End::end;
          return true;
        }
        if (t.text == "else") {
          next();
          end = End::else_;
          return true;
        }
        if (t.text == "if" || t.text == "with") {
          Node n;
          n.kind = t.text == "if" ? Node::Kind::if_ : Node::Kind::with;
          n.pos = open;
          next();
          if (!parse_if_with(n)) return false;
          out.push_back(std::move(n));
          continue;
        }
        if (t.text == "range") {
          Node n;
          n.kind = Node::Kind::range;
          n.pos = open;
          next();
          if (!parse_range(n)) return false;
          out.push_back(std::move(n));
          continue;
        }
        if (t.text == "break" || t.text == "continue") {
          if (range_depth_ == 0) return fail(t.pos, "{{" + t.text + "}} outside {{range}}");
          Node n;
          n.kind = t.text == "break" ? Node::Kind::break_ : Node::Kind::continue_;
          n.pos = open;
          const std::string word = t.text;
          next();
          if (!expect_right_delim(word)) return false;
          out.push_back(std::move(n));
          continue;
        }
        if (t.text == "define" || t.text == "template" || t.text == "block") {
          return fail(t.pos, "{{" + t.text + "}} is not supported by Sentinel");
        }
      }
      Node n;
      n.kind = Node::Kind::action;
      n.pos = open;
      if (!parse_pipeline(n.pipe, "command", 1) || !expect_right_delim("command")) return false;
      out.push_back(std::move(n));
    }
  }

  bool enter(std::size_t pos) {
    if (++depth_ > MessageTemplate::max_nesting_depth) {
      return fail(pos, "nesting deeper than " + std::to_string(MessageTemplate::max_nesting_depth) + " levels");
    }
    return true;
  }

  bool parse_if_with(Node& n) {
    const bool is_with = n.kind == Node::Kind::with;
    const char* word = is_with ? "with" : "if";
    if (!enter(n.pos)) return false;
    const std::size_t mark = vars_.size();
    Branch b;
    if (!parse_pipeline(b.cond, word, 1) || !expect_right_delim(word)) return false;
    for (;;) {
      End end = End::eof;
      if (!parse_list(b.body, end)) return false;
      n.branches.push_back(std::move(b));
      if (end == End::eof) return fail(n.pos, std::string("{{") + word + "}} has no {{end}}");
      if (end == End::end) break;
      const Token& t = peek();
      if (t.type == Tok::identifier && t.text == word) {
        next();
        b = Branch{};
        if (!parse_pipeline(b.cond, word, 1) || !expect_right_delim(word)) return false;
        continue;
      }
      if (!expect_right_delim("else")) return false;
      const std::size_t else_pos = action_pos_;
      if (!parse_list(n.else_body, end)) return false;
      if (end == End::eof) return fail(n.pos, std::string("{{") + word + "}} has no {{end}}");
      if (end == End::else_) return fail(action_pos_, "expected {{end}} after {{else}} at " + position(else_pos));
      break;
    }
    vars_.resize(mark);
    --depth_;
    return true;
  }

  bool parse_range(Node& n) {
    if (!enter(n.pos)) return false;
    const std::size_t mark = vars_.size();
    if (!parse_pipeline(n.pipe, "range", 2) || !expect_right_delim("range")) return false;
    End end = End::eof;
    ++range_depth_;
    const bool ok = parse_list(n.body, end);
    --range_depth_;
    if (!ok) return false;
    if (end == End::eof) return fail(n.pos, "{{range}} has no {{end}}");
    if (end == End::else_) {
      if (!expect_right_delim("else")) return false;
      if (!parse_list(n.else_body, end)) return false;
      if (end == End::eof) return fail(n.pos, "{{range}} has no {{end}}");
      if (end == End::else_) return fail(action_pos_, "expected {{end}}; found {{else}}");
    }
    vars_.resize(mark);
    --depth_;
    return true;
  }

  std::string position(std::size_t offset) const {
    const TemplateError e = error_at(text_, offset, "");
    return "line " + std::to_string(e.line) + ", column " + std::to_string(e.column);
  }

  // --- tokens

  const Token& peek() const { return toks_[ti_]; }
  void next() {
    if (ti_ + 1 < toks_.size()) ++ti_;
  }

  std::string describe_token(const Token& t) const {
    if (t.type == Tok::right_delim) return "\"}}\"";
    return go_quote(core::utf8_prefix(text_.substr(t.pos, t.end - t.pos), 40));
  }

  bool expect_right_delim(std::string_view context) {
    const Token& t = peek();
    if (t.type == Tok::right_delim) return true;
    return fail(t.pos, "unexpected " + describe_token(t) + " in " + std::string(context));
  }

  // Lexes one action, from after "{{" up to and including "}}", into toks_.
  bool lex_action(std::size_t p) {
    toks_.clear();
    ti_ = 0;
    for (;;) {
      bool space = false;
      for (;;) {
        if (is_space(at(p)) && at(p + 1) == '-' && starts_with(p + 2, "}}")) {
          Token t;
          t.type = Tok::right_delim;
          t.pos = p;
          t.end = p + 4;
          t.trim = true;
          toks_.push_back(std::move(t));
          pos_ = p + 4;
          trim_next_ = true;
          return true;
        }
        if (!is_space(at(p))) break;
        space = true;
        ++p;
      }
      if (p >= text_.size()) return fail(action_pos_, "unclosed action");
      Token t;
      t.pos = p;
      t.space_before = space;
      const char c = text_[p];
      if (c == '}' && at(p + 1) == '}') {
        t.type = Tok::right_delim;
        t.end = p + 2;
        toks_.push_back(std::move(t));
        pos_ = p + 2;
        return true;
      }
      if (c == '|' || c == '(' || c == ')' || c == ',' || c == '=') {
        t.type = c == '|' ? Tok::pipe : c == '(' ? Tok::lparen : c == ')' ? Tok::rparen : c == ',' ? Tok::comma : Tok::assign;
        t.end = ++p;
      } else if (c == ':') {
        if (at(p + 1) != '=') return fail(p, "expected :=");
        t.type = Tok::declare;
        p += 2;
        t.end = p;
      } else if (c == '"' || c == '`' || c == '\'') {
        if (!lex_quoted(p, t)) return false;
      } else if (c == '$') {
        std::size_t q = p + 1;
        while (is_alnum(at(q))) ++q;
        t.type = Tok::variable;
        t.text = std::string(text_.substr(p, q - p));
        t.end = p = q;
      } else if (c == '.' && !is_digit(at(p + 1))) {
        std::size_t q = p + 1;
        while (is_alnum(at(q))) ++q;
        t.type = q == p + 1 ? Tok::dot : Tok::field;
        t.text = std::string(text_.substr(p + 1, q - p - 1));
        t.end = p = q;
      } else if (is_digit(c) || c == '.' || ((c == '+' || c == '-') && (is_digit(at(p + 1)) || at(p + 1) == '.'))) {
        if (!lex_number(p, t)) return false;
      } else if (is_alnum(c)) {
        std::size_t q = p;
        while (is_alnum(at(q))) ++q;
        const std::string_view word = text_.substr(p, q - p);
        if (word == "true" || word == "false") {
          t.type = Tok::literal;
          t.value.kind = Kind::boolean;
          t.value.b = word == "true";
        } else if (word == "nil") {
          t.type = Tok::literal;  // Kind::nil
        } else {
          t.type = Tok::identifier;
          t.text = std::string(word);
        }
        t.end = p = q;
      } else {
        std::size_t len = 0;
        const char32_t cp = decode_rune(text_, p, len);
        static constexpr char hex[] = "0123456789ABCDEF";
        std::string u = "U+";
        for (int shift = cp > 0xFFFF ? 20 : 12; shift >= 0; shift -= 4) u.push_back(hex[(cp >> shift) & 15]);
        return fail(p, "unrecognized character in action: " + u);
      }
      toks_.push_back(std::move(t));
    }
  }

  bool lex_number(std::size_t& p, Token& t) {
    const std::size_t start = p;
    std::size_t q = p;
    if (at(q) == '+' || at(q) == '-') ++q;
    std::string_view digits = "0123456789_";
    bool hex = false;
    if (at(q) == '0' && (at(q + 1) == 'x' || at(q + 1) == 'X')) {
      q += 2;
      digits = "0123456789abcdefABCDEF_";
      hex = true;
    } else if (at(q) == '0' && (at(q + 1) == 'o' || at(q + 1) == 'O')) {
      q += 2;
      digits = "01234567_";
    } else if (at(q) == '0' && (at(q + 1) == 'b' || at(q + 1) == 'B')) {
      q += 2;
      digits = "01_";
    }
    auto run = [&] {
      while (q < text_.size() && digits.find(text_[q]) != std::string_view::npos) ++q;
    };
    run();
    bool is_float = false;
    if (at(q) == '.') {
      is_float = true;
      ++q;
      run();
    }
    if ((!hex && (at(q) == 'e' || at(q) == 'E')) || (hex && (at(q) == 'p' || at(q) == 'P'))) {
      is_float = true;
      ++q;
      if (at(q) == '+' || at(q) == '-') ++q;
      digits = "0123456789_";
      run();
    }
    const std::string_view raw = text_.substr(start, q - start);
    if (is_alnum(at(q)) || at(q) == '.') {
      std::size_t r = q;
      while (is_alnum(at(r)) || at(r) == '.') ++r;
      return fail(start, "bad number syntax: " + quoted(text_.substr(start, r - start)));
    }
    std::string clean;
    for (const char ch : raw)
      if (ch != '_') clean.push_back(ch);
    bool neg = false;
    std::string_view body = clean;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
      neg = body[0] == '-';
      body.remove_prefix(1);
    }
    t.type = Tok::literal;
    t.end = p = q;
    if (is_float) {
      if (hex) return fail(start, "hexadecimal floating-point numbers are not supported: " + quoted(raw));
      double v = 0;
      const auto r = std::from_chars(body.data(), body.data() + body.size(), v);
      if (body.empty() || r.ec != std::errc{} || r.ptr != body.data() + body.size()) {
        return fail(start, "bad number syntax: " + quoted(raw));
      }
      t.value.kind = Kind::floating;
      t.value.f = neg ? -v : v;
      return true;
    }
    int base = 10;
    if (body.size() > 1 && body[0] == '0') {
      const char k = body[1];
      base = (k == 'x' || k == 'X') ? 16 : (k == 'o' || k == 'O') ? 8 : (k == 'b' || k == 'B') ? 2 : 8;
      body.remove_prefix(base == 8 && is_digit(k) ? 1 : 2);
    }
    std::uint64_t u = 0;
    const auto r = std::from_chars(body.data(), body.data() + body.size(), u, base);
    if (body.empty() || r.ec != std::errc{} || r.ptr != body.data() + body.size() ||
        u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (neg ? 1U : 0U)) {
      const bool overflow = r.ec == std::errc::result_out_of_range || (r.ec == std::errc{} && r.ptr == body.data() + body.size() && !body.empty());
      return fail(start, (overflow ? "integer overflow: " : "bad number syntax: ") + quoted(raw));
    }
    t.value.kind = Kind::integer;
    t.value.i = neg ? static_cast<std::int64_t>(0 - u) : static_cast<std::int64_t>(u);
    return true;
  }

  // "..." with Go's escapes, `raw` (CRs dropped, as Go does), 'c' (an int).
  bool lex_quoted(std::size_t& p, Token& t) {
    const std::size_t start = p;
    const char quote = text_[p];
    std::string out;
    std::size_t q = p + 1;
    if (quote == '`') {
      const std::size_t close = text_.find('`', q);
      if (close == std::string_view::npos) return fail(start, "unterminated raw quoted string");
      for (const char ch : text_.substr(q, close - q))
        if (ch != '\r') out.push_back(ch);
      t.type = Tok::literal;
      t.value.kind = Kind::string;
      t.value.s = std::move(out);
      t.end = p = close + 1;
      return true;
    }
    auto hexval = [](char h) -> int {
      if (h >= '0' && h <= '9') return h - '0';
      if (h >= 'a' && h <= 'f') return h - 'a' + 10;
      if (h >= 'A' && h <= 'F') return h - 'A' + 10;
      return -1;
    };
    const char* what = quote == '"' ? "quoted string" : "character constant";
    for (;;) {
      if (q >= text_.size() || text_[q] == '\n') return fail(start, std::string("unterminated ") + what);
      const char ch = text_[q];
      if (ch == quote) break;
      if (ch != '\\') {
        out.push_back(ch);
        ++q;
        continue;
      }
      const char e = at(q + 1);
      q += 2;
      switch (e) {
        case 'a': out.push_back('\a'); continue;
        case 'b': out.push_back('\b'); continue;
        case 'f': out.push_back('\f'); continue;
        case 'n': out.push_back('\n'); continue;
        case 'r': out.push_back('\r'); continue;
        case 't': out.push_back('\t'); continue;
        case 'v': out.push_back('\v'); continue;
        case '\\': out.push_back('\\'); continue;
        default: break;
      }
      if (e == quote) {
        out.push_back(e);
        continue;
      }
      if (e == 'x' || e == 'u' || e == 'U') {
        const std::size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < n; ++k) {
          const int h = hexval(at(q + k));
          if (h < 0) return fail(q - 2, std::string("invalid escape in ") + what);
          v = v * 16 + static_cast<std::uint32_t>(h);
        }
        q += n;
        if (e == 'x') {
          out.push_back(static_cast<char>(v));
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return fail(q - n - 2, std::string("invalid escape in ") + what);
          append_utf8(out, v);
        }
        continue;
      }
      if (e >= '0' && e <= '7') {
        std::uint32_t v = static_cast<std::uint32_t>(e - '0');
        for (std::size_t k = 0; k < 2; ++k) {
          const char o = at(q + k);
          if (o < '0' || o > '7') return fail(q - 2, std::string("invalid escape in ") + what);
          v = v * 8 + static_cast<std::uint32_t>(o - '0');
        }
        if (v > 255) return fail(q - 2, std::string("invalid escape in ") + what);
        q += 2;
        out.push_back(static_cast<char>(v));
        continue;
      }
      return fail(q - 2, std::string("invalid escape in ") + what);
    }
    t.type = Tok::literal;
    t.end = p = q + 1;
    if (quote == '"') {
      t.value.kind = Kind::string;
      t.value.s = std::move(out);
      return true;
    }
    std::size_t len = 0;
    const char32_t cp = out.empty() ? 0 : decode_rune(out, 0, len);
    if (out.empty() || (len == 0 ? 1 : len) != out.size()) return fail(start, "malformed character constant");
    t.value.kind = Kind::integer;
    t.value.i = len == 0 ? static_cast<unsigned char>(out[0]) : static_cast<std::int64_t>(cp);
    return true;
  }

  // --- pipelines

  std::size_t lookup_var(const std::string& name) const {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
      if (it->first == name) return it->second;
    return variadic;
  }

  bool parse_pipeline(Pipeline& p, std::string_view context, std::size_t max_decls) {
    p.pos = peek().pos;
    // Declarations: $x := / $x = / (range) $k, $v :=
    if (peek().type == Tok::variable && max_decls > 0) {
      std::size_t k = ti_;
      std::vector<const Token*> names;
      for (;;) {
        if (k >= toks_.size() || toks_[k].type != Tok::variable) break;
        names.push_back(&toks_[k]);
        ++k;
        if (k + 1 < toks_.size() && toks_[k].type == Tok::comma && toks_[k + 1].type == Tok::variable &&
            names.size() < 2) {
          ++k;
          continue;
        }
        break;
      }
      if (names.size() == 2 && k < toks_.size() && toks_[k].type == Tok::comma) {
        return fail(names[0]->pos, "too many declarations in " + std::string(context));
      }
      const bool is_decl = k < toks_.size() && (toks_[k].type == Tok::declare || toks_[k].type == Tok::assign);
      if (is_decl && names.size() > max_decls) {
        return fail(names[0]->pos, "too many declarations in " + std::string(context));
      }
      if (is_decl) {
        const bool assign = toks_[k].type == Tok::assign;
        std::vector<std::pair<std::string, std::size_t>> declared;
        for (const Token* name : names) {
          if (name->text == "$") return fail(name->pos, "cannot assign to $");
          if (assign) {
            const std::size_t slot = lookup_var(name->text);
            if (slot == variadic) return fail(name->pos, "undefined variable " + quoted(name->text));
            p.decls.push_back(slot);
          } else {
            p.decls.push_back(slot_count_);
            declared.emplace_back(name->text, slot_count_++);
          }
        }
        ti_ = k;
        next();
        // Go declares the variables before the commands are parsed.
        for (auto& d : declared) vars_.push_back(std::move(d));
      }
    }
    for (;;) {
      Command c;
      if (!parse_command(c)) return false;
      p.cmds.push_back(std::move(c));
      if (peek().type != Tok::pipe) break;
      next();
    }
    for (std::size_t k = 0; k < p.cmds.size(); ++k) {
      const Command& c = p.cmds[k];
      const std::size_t piped = k > 0 ? 1 : 0;
      if (!c.is_call) {
        if (c.args.empty()) return fail(c.pos, "missing value for " + std::string(context));
        if (c.args.size() + piped > 1) {
          const Operand& op = c.args[0];
          return fail(c.pos, "can't give argument to non-function " + go_quote(text_.substr(op.pos, op.end - op.pos)));
        }
        if (c.args[0].kind == Operand::Kind::literal && c.args[0].literal.kind == Kind::nil) {
          return fail(c.pos, "nil is not a command");
        }
        continue;
      }
      const auto& info = *std::find_if(functions.begin(), functions.end(), [&](const FuncInfo& f) { return f.func == c.func; });
      const std::size_t n = c.args.size() + piped;
      if (n < info.min_args || n > info.max_args) {
        std::string want = std::to_string(info.min_args);
        if (info.max_args == variadic) want = "at least " + want;
        return fail(c.pos, "wrong number of args for " + std::string(info.name) + ": want " + want + " got " +
                               std::to_string(n));
      }
      if (c.func == Func::printf_ && c.args.empty() == false && c.args[0].kind == Operand::Kind::literal &&
          c.args[0].literal.kind != Kind::string) {
        return fail(c.args[0].pos, "printf needs a format string as its first argument");
      }
    }
    return true;
  }

  bool lookup_function(const Token& t, Func& f) {
    for (const auto& info : functions) {
      if (info.name == t.text) {
        f = info.func;
        return true;
      }
    }
    if (std::find(keywords.begin(), keywords.end(), t.text) != keywords.end()) {
      return fail(t.pos, "unexpected {{" + t.text + "}} in command");
    }
    if (std::find(unsupported_functions.begin(), unsupported_functions.end(), t.text) != unsupported_functions.end()) {
      return fail(t.pos, "function " + quoted(t.text) + " is not supported by Sentinel");
    }
    return fail(t.pos, "unknown function " + quoted(t.text));
  }

  static bool ends_command(Tok t) { return t == Tok::right_delim || t == Tok::pipe || t == Tok::rparen; }

  bool parse_command(Command& c) {
    c.pos = peek().pos;
    bool first = true;
    for (;;) {
      const Token& t = peek();
      if (ends_command(t.type)) return true;
      if (!first && !t.space_before) return fail(t.pos, "unexpected " + describe_token(t) + " in operand");
      if (first && t.type == Tok::identifier) {
        if (!lookup_function(t, c.func)) return false;
        c.is_call = true;
        c.name = std::find_if(functions.begin(), functions.end(), [&](const FuncInfo& f) { return f.func == c.func; })->name;
        next();
        if (peek().type == Tok::field && !peek().space_before) {
          return fail(peek().pos, "unexpected " + describe_token(peek()) + " after function name");
        }
        first = false;
        continue;
      }
      Operand op;
      if (!parse_operand(op)) return false;
      c.args.push_back(std::move(op));
      first = false;
    }
  }

  bool parse_operand(Operand& op) {
    const Token& t = peek();
    op.pos = t.pos;
    switch (t.type) {
      case Tok::identifier: {
        if (!lookup_function(t, op.func)) return false;
        const auto& info = *std::find_if(functions.begin(), functions.end(), [&](const FuncInfo& f) { return f.func == op.func; });
        if (info.min_args > 0) {
          return fail(t.pos, "wrong number of args for " + t.text + ": want " + std::to_string(info.min_args) +
                                 " got 0 (use parentheses to pass arguments)");
        }
        op.kind = Operand::Kind::function;
        next();
        break;
      }
      case Tok::dot:
        op.kind = Operand::Kind::dot;
        next();
        break;
      case Tok::field:
        op.kind = Operand::Kind::dot;
        op.fields.push_back(t.text);
        next();
        break;
      case Tok::variable: {
        const std::size_t slot = lookup_var(t.text);
        if (slot == variadic) return fail(t.pos, "undefined variable " + quoted(t.text));
        op.kind = Operand::Kind::variable;
        op.slot = slot;
        next();
        break;
      }
      case Tok::literal:
        op.kind = Operand::Kind::literal;
        op.literal = t.value;
        next();
        break;
      case Tok::lparen: {
        if (!enter(t.pos)) return false;
        const std::size_t open = t.pos;
        next();
        op.kind = Operand::Kind::pipeline;
        op.sub = std::make_unique<Pipeline>();
        if (!parse_pipeline(*op.sub, "parenthesized pipeline", 0)) return false;
        if (peek().type != Tok::rparen) {
          if (peek().type == Tok::right_delim) return fail(open, "unclosed left paren");
          return fail(peek().pos, "unexpected " + describe_token(peek()) + " in parenthesized pipeline");
        }
        next();
        --depth_;
        break;
      }
      default: return fail(t.pos, "unexpected " + describe_token(t) + " in operand");
    }
    while (peek().type == Tok::field && !peek().space_before) {
      if (op.kind == Operand::Kind::literal || op.kind == Operand::Kind::function) {
        return fail(peek().pos, "unexpected . after term " + go_quote(text_.substr(op.pos, peek().pos - op.pos)));
      }
      op.fields.push_back(peek().text);
      next();
    }
    op.end = ti_ > 0 ? toks_[ti_ - 1].end : op.pos;
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  bool trim_next_ = false;
  std::size_t action_pos_ = 0;
  std::optional<TemplateError> error_;
  std::vector<Token> toks_;
  std::size_t ti_ = 0;
  std::vector<std::pair<std::string, std::size_t>> vars_;
  std::size_t slot_count_ = 0;
  std::size_t depth_ = 0;
  std::size_t range_depth_ = 0;
};

// --- execution -----------------------------------------------------------------

class Output {
 public:
  void append(std::string_view s) {
    if (full_) return;
    const std::size_t room = MessageTemplate::max_output_bytes - buf_.size();
    if (s.size() <= room) {
      buf_.append(s);
      return;
    }
    buf_.append(core::utf8_prefix(s, room));
    full_ = true;
  }
  bool full() const { return full_; }
  std::string take() { return std::move(buf_); }

 private:
  std::string buf_;
  bool full_ = false;
};

class Executor {
 public:
  Executor(const Program& program, const TemplateData& data) : program_(program), data_(data) {}

  std::string run() {
    vars_.assign(program_.slot_count, Value{});
    Value root;
    root.kind = Kind::root;
    vars_[slot_root] = root;
    vars_[slot_labels] = labels();
    vars_[slot_external_labels] = map_value(empty_map());
    vars_[slot_external_url] = string_value("");
    vars_[slot_value] = value();
    walk(program_.root, root);
    if (error_) {
      const TemplateError e = error_at(program_.text, error_->first, "");
      std::string out = "<error expanding template: line " + std::to_string(e.line) + ", column " +
                        std::to_string(e.column) + ": " + error_->second + ">";
      cap_string(out);
      return out;
    }
    return out_.take();
  }

 private:
  enum class Flow : std::uint8_t { normal, break_, continue_, stop };

  static Value map_value(const LabelMap& m) {
    Value v;
    v.kind = Kind::map;
    v.m = &m;
    return v;
  }
  static Value string_value(std::string s) {
    Value v;
    v.kind = Kind::string;
    v.s = std::move(s);
    return v;
  }
  static Value bool_value(bool b) {
    Value v;
    v.kind = Kind::boolean;
    v.b = b;
    return v;
  }
  Value labels() const { return map_value(data_.labels != nullptr ? *data_.labels : empty_map()); }
  Value value() const {
    Value v;
    if (data_.value) {
      v.kind = Kind::floating;
      v.f = *data_.value;
    } else {
      v.kind = Kind::absent;
    }
    return v;
  }

  bool stopped() const { return error_.has_value() || out_.full() || spent_ > work_budget; }
  bool spend(std::size_t units) {
    spent_ += units;
    return !stopped();
  }
  bool fail(std::size_t pos, std::string message) {
    if (!error_) error_.emplace(pos, std::move(message));
    return false;
  }

  // fmt.Sprint of a value, as text/template prints it.
  std::string print_value(const Value& v) const {
    switch (v.kind) {
      case Kind::nil: return "<no value>";
      case Kind::absent: return "";
      case Kind::string: return v.s;
      case Kind::root: {
        const Value l = labels();
        const Value val = value();
        return "{" + format_value(l, 'v', Spec{}) + " map[]  " + format_value(val, 'v', Spec{}) + "}";
      }
      default: return format_value(v, 'v', Spec{});
    }
  }

  static bool truth(const Value& v) {
    switch (v.kind) {
      case Kind::nil:
      case Kind::absent: return false;
      case Kind::boolean: return v.b;
      case Kind::integer: return v.i != 0;
      case Kind::floating: return v.f != 0;
      case Kind::string: return !v.s.empty();
      case Kind::map: return !v.m->empty();
      case Kind::root: return true;
    }
    return false;
  }

  Flow walk(const NodeList& list, const Value& dot) {
    for (const Node& n : list) {
      if (!spend(1)) return Flow::stop;
      switch (n.kind) {
        case Node::Kind::text: out_.append(n.text); break;
        case Node::Kind::action: {
          Value v;
          if (!eval_pipeline(n.pipe, dot, v, true)) return Flow::stop;
          if (n.pipe.decls.empty()) {
            const std::string s = print_value(v);
            out_.append(s);
          }
          break;
        }
        case Node::Kind::if_:
        case Node::Kind::with: {
          const Flow f = walk_if_with(n, dot);
          if (f != Flow::normal) return f;
          break;
        }
        case Node::Kind::range: {
          const Flow f = walk_range(n, dot);
          if (f == Flow::stop) return f;
          break;
        }
        case Node::Kind::break_: return Flow::break_;
        case Node::Kind::continue_: return Flow::continue_;
      }
      if (stopped()) return Flow::stop;
    }
    return Flow::normal;
  }

  Flow walk_if_with(const Node& n, const Value& dot) {
    for (const Branch& b : n.branches) {
      Value v;
      if (!eval_pipeline(b.cond, dot, v, true)) return Flow::stop;
      if (truth(v)) return walk(b.body, n.kind == Node::Kind::with ? v : dot);
    }
    return walk(n.else_body, dot);
  }

  Flow walk_range(const Node& n, const Value& dot) {
    Value v;
    if (!eval_pipeline(n.pipe, dot, v, false)) return Flow::stop;
    if (v.kind != Kind::map) {
      fail(n.pipe.pos, "range can't iterate over " + print_value(v) + " (Sentinel ranges over label maps only)");
      return Flow::stop;
    }
    if (v.m->empty()) return walk(n.else_body, dot);
    for (const auto& [key, val] : *v.m) {
      Value elem = string_value(val);
      if (n.pipe.decls.size() == 2) {
        vars_[n.pipe.decls[0]] = string_value(key);
        vars_[n.pipe.decls[1]] = elem;
      } else if (n.pipe.decls.size() == 1) {
        vars_[n.pipe.decls[0]] = elem;
      }
      const Flow f = walk(n.body, elem);
      if (f == Flow::stop) return f;
      if (f == Flow::break_) break;
    }
    return Flow::normal;
  }

  bool eval_pipeline(const Pipeline& p, const Value& dot, Value& out, bool assign) {
    Value cur;
    for (std::size_t k = 0; k < p.cmds.size(); ++k) {
      Value next;
      if (!eval_command(p.cmds[k], dot, k > 0 ? &cur : nullptr, next)) return false;
      cur = std::move(next);
    }
    if (assign) {
      for (const std::size_t slot : p.decls) vars_[slot] = cur;
    }
    out = std::move(cur);
    return true;
  }

  bool eval_command(const Command& c, const Value& dot, const Value* piped, Value& out) {
    if (!spend(1)) return false;
    if (!c.is_call) return eval_operand(c.args[0], dot, out);
    if (c.func == Func::and_ || c.func == Func::or_) {  // short-circuit, as Go 1.18+ does
      const bool want = c.func == Func::or_;
      const std::size_t n = c.args.size() + (piped != nullptr ? 1 : 0);
      for (std::size_t k = 0; k < n; ++k) {
        if (k < c.args.size()) {
          if (!eval_operand(c.args[k], dot, out)) return false;
        } else {
          out = *piped;
        }
        if (truth(out) == want) return true;
      }
      return true;
    }
    std::vector<Value> args;
    args.reserve(c.args.size() + 1);
    for (const Operand& op : c.args) {
      Value v;
      if (!eval_operand(op, dot, v)) return false;
      args.push_back(std::move(v));
    }
    if (piped != nullptr) args.push_back(*piped);
    return call(c, args, out);
  }

  bool eval_operand(const Operand& op, const Value& dot, Value& out) {
    switch (op.kind) {
      case Operand::Kind::literal: out = op.literal; break;
      case Operand::Kind::dot: out = dot; break;
      case Operand::Kind::variable: out = vars_[op.slot]; break;
      case Operand::Kind::function: {
        Command c;
        c.pos = op.pos;
        c.is_call = true;
        c.func = op.func;
        c.name = std::find_if(functions.begin(), functions.end(), [&](const FuncInfo& f) { return f.func == op.func; })->name;
        std::vector<Value> none;
        if (!call(c, none, out)) return false;
        break;
      }
      case Operand::Kind::pipeline:
        if (!eval_pipeline(*op.sub, dot, out, false)) return false;
        break;
    }
    for (const std::string& name : op.fields) {
      Value next;
      if (!field(out, name, op.pos, next)) return false;
      out = std::move(next);
    }
    return true;
  }

  bool field(const Value& v, const std::string& name, std::size_t pos, Value& out) {
    if (v.kind == Kind::map) {
      const auto it = v.m->find(name);
      out = string_value(it == v.m->end() ? std::string() : it->second);  // missingkey=zero
      return spend(1 + out.s.size() / 64);
    }
    if (v.kind == Kind::root) {
      if (name == "Labels") out = labels();
      else if (name == "ExternalLabels") out = map_value(empty_map());
      else if (name == "ExternalURL") out = string_value("");
      else if (name == "Value") out = value();
      else return fail(pos, "can't evaluate field " + name + " in the alert data (Labels, ExternalLabels, ExternalURL, Value)");
      return true;
    }
    if (v.kind == Kind::nil) return fail(pos, "nil pointer evaluating field " + name);
    return fail(pos, "can't evaluate field " + name + " in type " + type_name(v));
  }

  // --- functions

  bool number_arg(const Command& c, const Value& v, double& out) {
    std::string err;
    switch (v.kind) {
      case Kind::floating: out = v.f; return true;
      case Kind::integer: out = static_cast<double>(v.i); return true;
      case Kind::string:
        if (parse_go_float(v.s, out, err)) return true;
        break;
      default: err = "can't convert " + type_name(v) + " to float"; break;
    }
    return fail(c.pos, "error calling " + std::string(c.name) + ": " + err);
  }

  bool string_arg(const Command& c, const Value& v) {
    if (v.kind == Kind::string) return true;
    return fail(c.pos, "error calling " + std::string(c.name) + ": wrong type for value; expected string; got " +
                           type_name(v));
  }

  // -1, 0, 1, or 2 for "unordered" (NaN); false with an error for types
  // that do not compare.
  bool compare(const Command& c, const Value& a, const Value& b, bool ordered, int& result) {
    auto numeric = [](const Value& v) { return v.kind == Kind::integer || v.kind == Kind::floating; };
    if (numeric(a) && numeric(b)) {
      if (a.kind == Kind::integer && b.kind == Kind::integer) {
        result = a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
      } else {
        const double x = a.kind == Kind::integer ? static_cast<double>(a.i) : a.f;
        const double y = b.kind == Kind::integer ? static_cast<double>(b.i) : b.f;
        result = x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
      }
      return true;
    }
    if (a.kind == Kind::string && b.kind == Kind::string) {
      const int r = a.s.compare(b.s);
      result = r < 0 ? -1 : r > 0 ? 1 : 0;
      return true;
    }
    if (a.kind == Kind::boolean && b.kind == Kind::boolean && !ordered) {
      result = a.b == b.b ? 0 : 1;
      return true;
    }
    const bool comparable_a = numeric(a) || a.kind == Kind::string || (a.kind == Kind::boolean && !ordered);
    const bool comparable_b = numeric(b) || b.kind == Kind::string || (b.kind == Kind::boolean && !ordered);
    return fail(c.pos, "error calling " + std::string(c.name) + ": " +
                           (comparable_a && comparable_b ? "incompatible types for comparison"
                                                         : "invalid type for comparison"));
  }

  bool call(const Command& c, std::vector<Value>& a, Value& out) {
    const bool any_absent = std::any_of(a.begin(), a.end(), [](const Value& v) { return v.kind == Kind::absent; });
    switch (c.func) {
      case Func::humanize:
      case Func::humanize1024:
      case Func::humanize_duration:
      case Func::humanize_percentage:
      case Func::humanize_timestamp: {
        if (a[0].kind == Kind::absent) {
          out = string_value("");
          return true;
        }
        double v = 0;
        if (!number_arg(c, a[0], v)) return false;
        std::string s;
        if (c.func == Func::humanize) s = humanize(v);
        else if (c.func == Func::humanize1024) s = humanize1024(v);
        else if (c.func == Func::humanize_duration) s = humanize_duration(v);
        else if (c.func == Func::humanize_percentage) s = humanize_percentage(v);
        else {
          std::string err;
          if (!humanize_timestamp(v, s, err)) return fail(c.pos, "error calling humanizeTimestamp: " + err);
        }
        out = string_value(std::move(s));
        return true;
      }
      case Func::printf_: {
        if (a[0].kind == Kind::absent) {
          out = string_value("");
          return true;
        }
        if (!string_arg(c, a[0])) return false;
        out = string_value(go_sprintf(a[0].s, a, 1));
        return spend(out.s.size() / 64);
      }
      case Func::print:
      case Func::println: {
        std::string s;
        bool prev_string = false;
        for (std::size_t k = 0; k < a.size(); ++k) {
          const bool is_string = a[k].kind == Kind::string || a[k].kind == Kind::absent;
          if (k > 0 && (c.func == Func::println || (!is_string && !prev_string))) s.push_back(' ');
          s += a[k].kind == Kind::nil ? "<nil>" : print_value(a[k]);
          prev_string = is_string;
          if (s.size() > max_value_bytes) break;
        }
        if (c.func == Func::println) s.push_back('\n');
        cap_string(s);
        out = string_value(std::move(s));
        return spend(out.s.size() / 64);
      }
      case Func::to_upper:
      case Func::to_lower:
      case Func::title:
      case Func::strip_port:
      case Func::safe_html: {
        if (a[0].kind == Kind::absent) {
          out = string_value("");
          return true;
        }
        if (!string_arg(c, a[0])) return false;
        std::string s = c.func == Func::to_upper   ? map_case(a[0].s, CaseMode::upper)
                        : c.func == Func::to_lower ? map_case(a[0].s, CaseMode::lower)
                        : c.func == Func::title    ? map_case(a[0].s, CaseMode::title)
                        : c.func == Func::strip_port ? strip_port(a[0].s)
                                                     : a[0].s;
        cap_string(s);
        out = string_value(std::move(s));
        return spend(out.s.size() / 64);
      }
      case Func::external_url:
      case Func::path_prefix: out = string_value(""); return true;
      case Func::index: {
        Value item = std::move(a[0]);
        for (std::size_t k = 1; k < a.size(); ++k) {
          const Value& key = a[k];
          if (item.kind == Kind::map) {
            if (key.kind != Kind::string) {
              return fail(c.pos, "error calling index: value has type " + type_name(key) + "; should be string");
            }
            const auto it = item.m->find(key.s);
            item = string_value(it == item.m->end() ? std::string() : it->second);
          } else if (item.kind == Kind::string) {
            if (key.kind != Kind::integer) {
              return fail(c.pos, "error calling index: cannot index slice/array with type " + type_name(key));
            }
            if (key.i < 0 || static_cast<std::uint64_t>(key.i) >= item.s.size()) {
              return fail(c.pos, "error calling index: index out of range: " + std::to_string(key.i));
            }
            Value byte;
            byte.kind = Kind::integer;
            byte.i = static_cast<unsigned char>(item.s[static_cast<std::size_t>(key.i)]);
            item = byte;
          } else {
            return fail(c.pos, "error calling index: can't index item of type " + type_name(item));
          }
        }
        out = std::move(item);
        return true;
      }
      case Func::len: {
        Value n;
        n.kind = Kind::integer;
        if (a[0].kind == Kind::string) n.i = static_cast<std::int64_t>(a[0].s.size());
        else if (a[0].kind == Kind::map) n.i = static_cast<std::int64_t>(a[0].m->size());
        else if (a[0].kind == Kind::absent) n.i = 0;
        else return fail(c.pos, "error calling len: len of type " + type_name(a[0]));
        out = n;
        return true;
      }
      case Func::eq:
      case Func::ne: {
        bool equal = false;
        for (std::size_t k = 1; k < a.size() && !equal; ++k) {
          if (a[0].kind == Kind::absent || a[k].kind == Kind::absent) {
            equal = a[0].kind == a[k].kind;
            continue;
          }
          int r = 0;
          if (!compare(c, a[0], a[k], false, r)) return false;
          equal = r == 0;
        }
        out = bool_value(c.func == Func::eq ? equal : !equal);
        return true;
      }
      case Func::lt:
      case Func::le:
      case Func::gt:
      case Func::ge: {
        if (any_absent) {
          out = bool_value(false);
          return true;
        }
        int r = 0;
        if (!compare(c, a[0], a[1], true, r)) return false;
        const bool res = r == 2                  ? false
                         : c.func == Func::lt ? r < 0
                         : c.func == Func::le ? r <= 0
                         : c.func == Func::gt ? r > 0
                                              : r >= 0;
        out = bool_value(res);
        return true;
      }
      case Func::not_: out = bool_value(!truth(a[0])); return true;
      case Func::and_:
      case Func::or_: return true;  // evaluated in eval_command
    }
    return true;
  }

  const Program& program_;
  const TemplateData& data_;
  std::vector<Value> vars_;
  Output out_;
  std::optional<std::pair<std::size_t, std::string>> error_;
  std::size_t spent_ = 0;
};

}  // namespace

MessageTemplate::MessageTemplate(std::shared_ptr<const template_detail::Program> program)
    : program_(std::move(program)) {}

std::expected<MessageTemplate, TemplateError> MessageTemplate::parse(std::string_view text) {
  auto program = Parser(text).run();
  if (!program) return std::unexpected(std::move(program.error()));
  return MessageTemplate(std::move(*program));
}

std::string MessageTemplate::render(const TemplateData& data) const {
  if (!program_) return {};
  return Executor(*program_, data).run();
}

std::string render_template(std::string_view text, const TemplateData& data) {
  auto t = MessageTemplate::parse(text);
  if (!t) return std::string(text);
  return t->render(data);
}

std::string describe(const TemplateError& e) {
  return "line " + std::to_string(e.line) + ", column " + std::to_string(e.column) + ": " + e.message;
}

}  // namespace sentinel::domain
