#include "prometheus/promql_comparison.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <system_error>
#include <vector>

namespace sentinel::prometheus {

namespace {

constexpr std::size_t npos = static_cast<std::size_t>(-1);

// Token kinds the splitter tells apart; everything else is `other`.
enum class Kind { ident, number, string, duration, op, open, close, comma, other };

struct Token {
  Kind kind = Kind::other;
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t match = npos;  // open/close: index of the partner bracket
  int depth = 0;             // brackets around the token (a bracket pair lives at the depth outside it)
  char enclosing = 0;        // innermost open bracket around the token: '(' '[' '{' or 0
  bool binary = false;       // op + or -: binary (after an operand), else unary
};

struct Lexed {
  std::vector<Token> tokens;
  bool has_comment = false;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// PromQL keywords are case-insensitive (`and ON (instance)` is common).
bool keyword_is(std::string_view word, std::string_view keyword) {
  if (word.size() != keyword.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (lower(word[i]) != keyword[i]) return false;
  return true;
}

template <std::size_t N>
bool keyword_in(std::string_view word, const std::array<std::string_view, N>& keywords) {
  for (auto k : keywords)
    if (keyword_is(word, k)) return true;
  return false;
}

constexpr std::array<std::string_view, 3> set_operators = {"and", "or", "unless"};
constexpr std::array<std::string_view, 5> comparison_modifiers = {"bool", "on", "ignoring", "group_left",
                                                                  "group_right"};
constexpr std::array<std::string_view, 6> label_list_keywords = {"by",         "without",    "on",
                                                                 "ignoring",   "group_left", "group_right"};
// Identifiers that are not operands: after them a + or - is unary.
constexpr std::array<std::string_view, 12> operator_keywords = {
    "and", "or", "unless", "atan2", "bool", "on", "ignoring", "group_left", "group_right", "offset", "by", "without"};
// Keywords at the top level of a query that a comparison appended after it
// would not apply to as a whole.
constexpr std::array<std::string_view, 10> binding_keywords = {
    "and", "or", "unless", "atan2", "bool", "on", "ignoring", "group_left", "group_right", "offset"};

// Aggregation operators are keywords too: `avg by (x) (…)` calls avg.
constexpr std::array<std::string_view, 14> aggregators = {
    "sum",   "min",    "max",    "avg",      "group",    "stddev", "stdvar",
    "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio"};

bool is_comparison(std::string_view op) {
  return op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=";
}

bool ends_operand(const Token& t, std::string_view src) {
  switch (t.kind) {
    case Kind::ident:
      return !keyword_in(src.substr(t.begin, t.end - t.begin), operator_keywords);
    case Kind::number:
    case Kind::string:
    case Kind::duration:
    case Kind::close:
      return true;
    default:
      return false;
  }
}

// Number per Prometheus's lexer (scanNumber): decimal or 0x hex digits, an
// optional fraction and exponent. Followed by a letter or digit it is a
// duration (5m, 1h30m) instead. Returns the end of the token.
std::size_t scan_number(std::string_view s, std::size_t i, Kind& kind) {
  const std::size_t n = s.size();
  bool hex = false;
  if (s[i] == '0' && i + 1 < n && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    hex = true;
    i += 2;
  }
  auto digit = [hex](char c) { return hex ? is_hex_digit(c) : is_digit(c); };
  while (i < n && digit(s[i])) ++i;
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && digit(s[i])) ++i;
  }
  if (!hex && i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    while (i < n && is_digit(s[i])) ++i;
  }
  kind = Kind::number;
  if (i < n && is_alnum(s[i])) {
    kind = Kind::duration;
    while (i < n && is_alnum(s[i])) ++i;
  }
  return i;
}

std::optional<Lexed> lex(std::string_view s) {
  Lexed out;
  std::vector<std::size_t> open;  // indexes of unclosed brackets
  const std::size_t n = s.size();
  std::size_t i = 0;
  auto push = [&](Kind kind, std::size_t begin, std::size_t end) -> Token& {
    Token t;
    t.kind = kind;
    t.begin = begin;
    t.end = end;
    t.depth = static_cast<int>(open.size());
    t.enclosing = open.empty() ? '\0' : s[out.tokens[open.back()].begin];
    out.tokens.push_back(t);
    return out.tokens.back();
  };
  while (i < n) {
    const char c = s[i];
    if (is_space(c)) {
      ++i;
    } else if (c == '#') {
      out.has_comment = true;
      while (i < n && s[i] != '\n') ++i;
    } else if (c == '"' || c == '\'' || c == '`') {
      std::size_t j = i + 1;
      while (j < n && s[j] != c) j += (c != '`' && s[j] == '\\') ? std::size_t{2} : std::size_t{1};
      if (j >= n) return std::nullopt;  // unterminated: Prometheus reports it
      push(Kind::string, i, j + 1);
      i = j + 1;
    } else if (is_digit(c) || (c == '.' && i + 1 < n && is_digit(s[i + 1]))) {
      Kind kind = Kind::number;
      const std::size_t end = scan_number(s, i, kind);
      push(kind, i, end);
      i = end;
    } else if (is_alpha(c)) {
      std::size_t j = i;
      while (j < n && (is_alnum(s[j]) || s[j] == ':')) ++j;
      push(Kind::ident, i, j);
      i = j;
    } else if (c == '(' || c == '[' || c == '{') {
      push(Kind::open, i, i + 1);
      open.push_back(out.tokens.size() - 1);
      ++i;
    } else if (c == ')' || c == ']' || c == '}') {
      if (open.empty()) return std::nullopt;
      const std::size_t o = open.back();
      const char want = s[out.tokens[o].begin] == '(' ? ')' : s[out.tokens[o].begin] == '[' ? ']' : '}';
      if (c != want) return std::nullopt;
      open.pop_back();
      Token& t = push(Kind::close, i, i + 1);
      t.match = o;
      out.tokens[o].match = out.tokens.size() - 1;
      ++i;
    } else if (c == ',') {
      push(Kind::comma, i, i + 1);
      ++i;
    } else {
      static constexpr std::array<std::string_view, 6> two = {"==", "!=", "<=", ">=", "=~", "!~"};
      std::size_t len = 0;
      for (auto op : two)
        if (s.substr(i, 2) == op) len = 2;
      if (len == 0 && std::string_view("<>=+-*/%^@:").find(c) != std::string_view::npos) len = 1;
      if (len == 0) {
        push(Kind::other, i, i + 1);
        ++i;
        continue;
      }
      const bool after_operand = !out.tokens.empty() && ends_operand(out.tokens.back(), s);
      Token& t = push(Kind::op, i, i + len);
      t.binary = after_operand;
      i += len;
    }
  }
  if (!open.empty()) return std::nullopt;
  return out;
}

std::string_view text(std::string_view s, const Token& t) { return s.substr(t.begin, t.end - t.begin); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_open_paren(std::string_view s, const Token& t) { return t.kind == Kind::open && s[t.begin] == '('; }

// Go's strconv.ParseInt(s, 0, 64) then ParseFloat(s, 64), as Prometheus
// reads a number literal: "010" is octal 8, "0x10" is 16.
std::optional<double> parse_number(std::string_view s) {
  auto all = [&](auto pred, std::size_t from) {
    if (from >= s.size()) return false;
    for (std::size_t i = from; i < s.size(); ++i)
      if (!pred(s[i])) return false;
    return true;
  };
  auto integer = [&](std::size_t from, int base) -> std::optional<double> {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data() + from, s.data() + s.size(), v, base);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return static_cast<double>(v);
  };
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    return all(is_hex_digit, 2) ? integer(2, 16) : std::nullopt;  // ParseFloat wants a p exponent: no fallback
  if (s.size() > 1 && s[0] == '0' && all([](char c) { return c >= '0' && c <= '7'; }, 1))
    if (auto v = integer(1, 8)) return v;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// The tokens [lo, hi) are exactly one finite number literal, optionally
// signed and parenthesised: its value.
std::optional<double> literal_value(std::string_view s, const std::vector<Token>& t, std::size_t lo, std::size_t hi) {
  double sign = 1;
  while (lo < hi) {
    if (is_open_paren(s, t[lo]) && t[lo].match == hi - 1) {
      ++lo;
      --hi;
    } else if (t[lo].kind == Kind::op && !t[lo].binary && (text(s, t[lo]) == "-" || text(s, t[lo]) == "+")) {
      if (text(s, t[lo]) == "-") sign = -sign;
      ++lo;
    } else if (hi - lo == 1 && t[lo].kind == Kind::number) {
      auto v = parse_number(text(s, t[lo]));
      if (!v || !std::isfinite(*v)) return std::nullopt;
      return sign * *v;
    } else {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// The source of tokens [lo, hi): from the first token to the last (comments
// around them dropped), without one pair of parentheses around all of it.
std::string side_text(std::string_view s, const std::vector<Token>& t, std::size_t lo, std::size_t hi) {
  if (is_open_paren(s, t[lo]) && t[lo].match == hi - 1)
    return std::string(trim(s.substr(t[lo].end, t[hi - 1].begin - t[lo].end)));
  return std::string(s.substr(t[lo].begin, t[hi - 1].end - t[lo].begin));
}

std::string flip(std::string_view op) {
  if (op == "<") return ">";
  if (op == ">") return "<";
  if (op == "<=") return ">=";
  if (op == ">=") return "<=";
  return std::string(op);
}

}  // namespace

std::optional<SplitCondition> split_condition(std::string_view expr) {
  auto lexed = lex(expr);
  if (!lexed || lexed->tokens.empty()) return std::nullopt;
  const auto& t = lexed->tokens;
  std::optional<std::size_t> last;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].depth != 0) continue;
    if (t[i].kind == Kind::ident && keyword_in(text(expr, t[i]), set_operators)) return std::nullopt;
    if (t[i].kind == Kind::op && is_comparison(text(expr, t[i]))) last = i;
  }
  if (!last) return std::nullopt;
  const std::size_t c = *last;
  if (c == 0 || c + 1 >= t.size()) return std::nullopt;
  // `A > bool 90` gives 0/1 for every series and `A > on(x) 90` is not a
  // filter by a number: Prometheus fires for every series, so must we.
  if (t[c + 1].kind == Kind::ident && keyword_in(text(expr, t[c + 1]), comparison_modifiers)) return std::nullopt;
  const auto right = literal_value(expr, t, c + 1, t.size());
  const auto left = literal_value(expr, t, 0, c);
  if (right.has_value() == left.has_value()) return std::nullopt;
  SplitCondition out;
  if (right) {
    out.promql = side_text(expr, t, 0, c);
    out.comparison = std::string(text(expr, t[c]));
    out.threshold = *right;
  } else {
    out.promql = side_text(expr, t, c + 1, t.size());
    out.comparison = flip(text(expr, t[c]));
    out.threshold = *left;
  }
  if (out.promql.empty()) return std::nullopt;
  return out;
}

std::optional<std::string> first_metric_name(std::string_view expr) {
  auto lexed = lex(expr);
  if (!lexed) return std::nullopt;
  const auto& t = lexed->tokens;
  auto unquoted = [&](const Token& tok) -> std::optional<std::string> {
    const auto body = text(expr, tok).substr(1, tok.end - tok.begin - 2);
    if (body.empty() || body.find('\\') != std::string_view::npos) return std::nullopt;
    return std::string(body);
  };
  for (std::size_t i = 0; i < t.size(); ++i) {
    const Token& tok = t[i];
    if (tok.kind == Kind::open && expr[tok.begin] == '{') {
      // {__name__="foo"} and Prometheus 3's {"foo"}
      if (i + 3 < t.size() && t[i + 1].kind == Kind::ident && text(expr, t[i + 1]) == "__name__" &&
          t[i + 2].kind == Kind::op && text(expr, t[i + 2]) == "=" && t[i + 3].kind == Kind::string)
        if (auto name = unquoted(t[i + 3])) return name;
      if (i + 2 < t.size() && t[i + 1].kind == Kind::string &&
          (t[i + 2].kind == Kind::comma || t[i + 2].kind == Kind::close))
        if (auto name = unquoted(t[i + 1])) return name;
      continue;
    }
    if (tok.kind != Kind::ident || tok.enclosing == '{') continue;
    const auto word = text(expr, tok);
    const bool call = i + 1 < t.size() && is_open_paren(expr, t[i + 1]);
    if (keyword_in(word, label_list_keywords) && call) {
      i = t[i + 1].match;
      continue;
    }
    if (call || keyword_in(word, operator_keywords) || keyword_in(word, aggregators) || keyword_is(word, "inf") ||
        keyword_is(word, "nan"))
      continue;
    return std::string(word);
  }
  return std::nullopt;
}

std::string format_threshold(double threshold) {
  std::array<char, 64> buf{};
  auto [p, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), threshold);
  if (ec != std::errc{}) return "0";  // cannot happen: 64 bytes hold any double
  return std::string(buf.data(), p);
}

std::string join_condition(std::string_view promql, std::string_view comparison, double threshold) {
  const auto p = trim(promql);
  const auto lexed = lex(p);
  bool wrap = !lexed || lexed->has_comment || lexed->tokens.empty();
  bool trailing_comment = !lexed;
  if (lexed && !lexed->tokens.empty()) {
    const auto& t = lexed->tokens;
    if (is_open_paren(p, t.front()) && t.front().match == t.size() - 1) wrap = true;
    for (const auto& tok : t)
      if (tok.depth == 0 && (tok.kind == Kind::op || tok.kind == Kind::other ||
                             (tok.kind == Kind::ident && keyword_in(text(p, tok), binding_keywords))))
        wrap = true;
    trailing_comment = lexed->has_comment && t.back().end < p.size();
  }
  std::string out;
  if (wrap) {
    out.reserve(p.size() + 32);
    out += '(';
    out += p;
    if (trailing_comment) out += '\n';  // else the comment would swallow the ')'
    out += ')';
  } else {
    out = p;
  }
  out += ' ';
  out += comparison;
  out += ' ';
  out += format_threshold(threshold);
  return out;
}

}  // namespace sentinel::prometheus
