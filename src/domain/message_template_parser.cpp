// Template text -> Program: a lexer that turns one action at a time into
// tokens, and a recursive-descent parser over them. Functions, argument counts
// and variables are all resolved here, so a template that could never run is
// rejected when its rule is saved, and the executor meets no unknown name.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "core/utf8.hpp"
#include "domain/message_template_go_format.hpp"
#include "domain/message_template_program.hpp"
#include "domain/message_template_text.hpp"

namespace sentinel::domain::template_detail {

namespace {

using Kind = Value::Kind;

// Functions of Prometheus or Go that Sentinel deliberately does not offer:
// they query Prometheus, or run regular expressions whose cost a template
// author controls (std::regex backtracks and recurses per character).
constexpr std::array<std::string_view, 20> unsupported_functions{
    "query", "first",   "label",    "value", "strvalue", "sortByLabel", "match", "reReplaceAll", "graphLink", "tableLink",
    "args",  "toTime",  "toDuration", "now", "parseDuration", "html",   "js",    "urlquery",     "slice",     "call"};

constexpr std::array<std::string_view, 12> keywords{"if",    "else",     "end",    "range", "with",  "break",
                                                    "continue", "define", "template", "block", "true", "false"};

// lookup_var's answer for a name that is not declared.
constexpr std::size_t no_slot = std::numeric_limits<std::size_t>::max();

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alnum(char c) {
  const auto u = static_cast<unsigned char>(c);
  return c == '_' || is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || u >= 0x80;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

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
    // In slot order: slot_root, slot_labels, slot_external_labels,
    // slot_external_url, slot_value.
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
    return no_slot;
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
            if (slot == no_slot) return fail(name->pos, "undefined variable " + quoted(name->text));
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
      const FuncInfo& info = function_info(c.func);
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
        c.name = function_info(c.func).name;
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
        const FuncInfo& info = function_info(op.func);
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
        if (slot == no_slot) return fail(t.pos, "undefined variable " + quoted(t.text));
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

}  // namespace

std::expected<std::shared_ptr<Program>, TemplateError> parse_program(std::string_view text) {
  return Parser(text).run();
}

}  // namespace sentinel::domain::template_detail
