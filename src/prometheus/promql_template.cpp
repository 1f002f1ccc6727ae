#include "prometheus/promql_template.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "core/utf8.hpp"

namespace sentinel::prometheus {

namespace {

enum class Var { instance, job };

std::string_view name_of(Var v) { return v == Var::instance ? "$instance" : "$job"; }

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

struct VarMatch {
  Var var;
  std::size_t length;  // of the reference in the text, `$` included
};

// A template variable starting at text[pos] (which holds '$'), or nullopt.
std::optional<VarMatch> match_var(std::string_view text, std::size_t pos) {
  static constexpr std::array<std::pair<Var, std::string_view>, 2> names{{{Var::instance, "instance"}, {Var::job, "job"}}};
  const std::string_view rest = text.substr(pos + 1);
  for (const auto& [var, bare] : names) {
    if (rest.starts_with('{') && rest.substr(1).starts_with(bare) && rest.substr(1 + bare.size()).starts_with('}'))
      return VarMatch{var, bare.size() + 3};
    // `$instances` or `$job_name` is another (unknown) name, left alone.
    if (rest.starts_with(bare) && (rest.size() == bare.size() || !is_ident_char(rest[bare.size()])))
      return VarMatch{var, bare.size() + 1};
  }
  return std::nullopt;
}

// The pieces of a query as Prometheus's lexer sees them, as far as
// templating cares: code, comments, string literals and variables outside
// literals.
struct Token {
  enum class Kind {
    code,          // copied as is
    comment,       // `#` to end of line (newline excluded), copied as is
    literal,       // `text` is the body between the quotes
    variable,      // outside any literal
    unterminated,  // an open literal running to the end of the query
  };
  Kind kind = Kind::code;
  std::string_view text;
  char quote = 0;             // literal: '"', '\'' or '`'
  Var var = Var::instance;    // variable
  bool regex_operand = false;  // literal / variable: right-hand side of =~ or !~
};

class Lexer {
 public:
  explicit Lexer(std::string_view promql) : src_(promql) {}

  std::optional<Token> next() {
    if (pos_ >= src_.size()) return std::nullopt;
    const std::size_t start = pos_;
    const char c = src_[pos_];
    if (c == '#') {
      const std::size_t end = src_.find('\n', pos_);
      pos_ = end == std::string_view::npos ? src_.size() : end;
      return Token{Token::Kind::comment, src_.substr(start, pos_ - start)};
    }
    if (c == '"' || c == '\'' || c == '`') return literal(c);
    if (c == '$') {
      if (const auto m = match_var(src_, pos_)) {
        pos_ += m->length;
        Token t{Token::Kind::variable, src_.substr(start, m->length)};
        t.var = m->var;
        t.regex_operand = take_regex_operator();
        return t;
      }
    }
    // Plain code up to the next character that may start something else.
    ++pos_;
    note_code(c, start);
    while (pos_ < src_.size()) {
      const char d = src_[pos_];
      if (d == '#' || d == '"' || d == '\'' || d == '`' || d == '$') break;
      note_code(d, pos_);
      ++pos_;
    }
    return Token{Token::Kind::code, src_.substr(start, pos_ - start)};
  }

 private:
  // Tracks whether the last significant code was =~ or !~. Whitespace and
  // comments in between do not count, as for Prometheus's lexer.
  void note_code(char c, std::size_t at) {
    if (is_space(c)) return;
    regex_op_ = c == '~' && at > 0 && (src_[at - 1] == '=' || src_[at - 1] == '!');
  }

  bool take_regex_operator() { return std::exchange(regex_op_, false); }

  Token literal(char quote) {
    const std::size_t start = pos_;
    std::size_t i = pos_ + 1;
    bool closed = false;
    while (i < src_.size()) {
      const char d = src_[i];
      if (d == quote) {
        closed = true;
        break;
      }
      if (quote != '`') {
        // Prometheus ends a quoted string at a newline with an error.
        if (d == '\n') break;
        if (d == '\\') {
          if (i + 1 < src_.size() && src_[i + 1] == '\n') break;
          ++i;  // the escaped character cannot close the literal
        }
      }
      ++i;
    }
    if (!closed) {
      pos_ = src_.size();
      return Token{Token::Kind::unterminated, src_.substr(start), quote};
    }
    pos_ = i + 1;
    Token t{Token::Kind::literal, src_.substr(start + 1, i - start - 1), quote};
    t.regex_operand = take_regex_operator();
    return t;
  }

  std::string_view src_;
  std::size_t pos_ = 0;
  bool regex_op_ = false;
};

// Splits a literal's body into text and variables; stops when on_var
// returns false. In quoted literals `\$instance` is an escape followed by "instance", not a
// variable (Prometheus rejects `\$` anyway).
template <class OnText, class OnVar>
bool split_literal(std::string_view body, char quote, OnText&& on_text, OnVar&& on_var) {
  std::size_t run = 0;
  std::size_t i = 0;
  while (i < body.size()) {
    const char c = body[i];
    if (c == '\\' && quote != '`') {
      i += 2;
      continue;
    }
    if (c == '$') {
      if (const auto m = match_var(body, i)) {
        on_text(body.substr(run, i - run));
        if (!on_var(m->var)) return false;
        i += m->length;
        run = i;
        continue;
      }
    }
    ++i;
  }
  on_text(body.substr(std::min(run, body.size())));
  return true;
}

core::Error template_error(std::string message) {
  return core::Error::invalid_field({"body", "promql"}, "Value error, " + std::move(message), "value_error");
}

void append_hex_escape(std::string& out, unsigned char c) {
  constexpr char digits[] = "0123456789abcdef";
  out += "\\x";
  out += digits[c >> 4U];
  out += digits[c & 0xFU];
}

void append_escaped(std::string& out, std::string_view value, char quote) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    const auto u = static_cast<unsigned char>(c);
    if (c == '\\' || c == quote) {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7F) {
      append_hex_escape(out, u);
    } else if (u < 0x80) {
      out += c;
    } else if (const std::size_t len = core::utf8_sequence_length(value, i); len > 0) {
      out.append(value, i, len);
      i += len - 1;
    } else {
      // A stray byte would make Prometheus reject the whole query; \xNN
      // keeps the byte itself.
      append_hex_escape(out, u);
    }
  }
}

void append_regex_quoted(std::string& out, std::string_view value) {
  constexpr std::string_view meta = "\\.+*?()|[]{}^$";
  for (const char c : value) {
    if (meta.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
}

}  // namespace

bool uses_template_vars(std::string_view promql) {
  if (promql.find('$') == std::string_view::npos) return false;
  Lexer lexer(promql);
  while (const auto token = lexer.next()) {
    switch (token->kind) {
      case Token::Kind::variable: return true;
      case Token::Kind::literal:
      case Token::Kind::unterminated: {
        // An unterminated literal counts too: when in doubt, a fleet rule
        // is refused rather than sent to every server unfiltered.
        const std::string_view body = token->kind == Token::Kind::literal ? token->text : token->text.substr(1);
        bool found = false;
        split_literal(body, token->quote, [](std::string_view) {}, [&](Var) {
          found = true;
          return false;  // one is enough
        });
        if (found) return true;
        break;
      }
      case Token::Kind::code:
      case Token::Kind::comment: break;
    }
  }
  return false;
}

core::Result<std::string> render_promql(std::string_view promql, const TemplateVars& vars) {
  // Most of the catalogue's and users' queries are rendered thousands of
  // times a round; those without `$` need no lexing.
  if (promql.find('$') == std::string_view::npos) return std::string(promql);

  std::string out;
  out.reserve(promql.size() + 64);
  std::optional<core::Error> error;

  const auto value_of = [&](Var v) -> const std::string* {
    const auto& value = v == Var::instance ? vars.instance : vars.job;
    if (!value) {
      error = template_error("the query uses " + std::string(name_of(v)) + " but it has no value here");
      return nullptr;
    }
    return &*value;
  };
  // The value as it must appear inside a literal opened with `quote`.
  const auto append_value = [&](const std::string& value, char quote, bool regex) {
    if (quote == '`') {
      if (regex)
        append_regex_quoted(out, value);
      else
        out += value;
      return;
    }
    if (regex) {
      std::string quoted;
      append_regex_quoted(quoted, value);
      append_escaped(out, quoted, quote);
    } else {
      append_escaped(out, value, quote);
    }
  };

  Lexer lexer(promql);
  while (const auto token = lexer.next()) {
    switch (token->kind) {
      case Token::Kind::code:
      case Token::Kind::comment:
      // Prometheus rejects the query at this literal whatever we insert,
      // and its message will point at the user's own text.
      case Token::Kind::unterminated: out += token->text; break;
      case Token::Kind::variable: {
        const std::string* value = value_of(token->var);
        if (value == nullptr) return core::fail(std::move(*error));
        out += '"';
        append_value(*value, '"', token->regex_operand);
        out += '"';
        break;
      }
      case Token::Kind::literal: {
        const char quote = token->quote;
        out += quote;
        const bool ok = split_literal(
            token->text, quote, [&](std::string_view text) { out += text; },
            [&](Var v) {
              const std::string* value = value_of(v);
              if (value == nullptr) return false;
              if (quote == '`' && value->find('`') != std::string::npos) {
                error = template_error("the value of " + std::string(name_of(v)) +
                                       " contains a backtick, which a `...` string cannot hold; use \"...\"");
                return false;
              }
              append_value(*value, quote, token->regex_operand);
              return true;
            });
        if (!ok) return core::fail(std::move(*error));
        out += quote;
        break;
      }
    }
  }
  return out;
}

std::string escape_string_literal(std::string_view value, char quote) {
  std::string out;
  out.reserve(value.size() + 8);
  append_escaped(out, value, quote);
  return out;
}

std::string quote_regex(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 8);
  append_regex_quoted(out, value);
  return out;
}

}  // namespace sentinel::prometheus
