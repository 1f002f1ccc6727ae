// Program + data -> message. Execution is bounded three ways, so no template
// can hang or grow memory without limit: the parser already capped nesting
// (so recursion here is bounded too), the output stops at max_output_bytes,
// and a work budget stops a range over large label maps.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/utf8.hpp"
#include "domain/message_template_functions.hpp"
#include "domain/message_template_go_format.hpp"
#include "domain/message_template_program.hpp"
#include "domain/message_template_text.hpp"

namespace sentinel::domain::template_detail {

namespace {

using Kind = Value::Kind;

constexpr std::size_t work_budget = 200'000;  // nodes + commands + produced bytes / 64

const LabelMap& empty_map() {
  static const LabelMap m;
  return m;
}

// The message being written, cut at max_output_bytes on a UTF-8 boundary.
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
        c.name = function_info(op.func).name;
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

  // compare_values, or false with Go's "error calling lt: ..." for types that
  // do not compare.
  bool compare(const Command& c, const Value& a, const Value& b, bool ordered, int& result) {
    const auto r = compare_values(a, b, ordered);
    if (!r) return fail(c.pos, "error calling " + std::string(c.name) + ": " + std::string(r.error()));
    result = *r;
    return true;
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

std::string execute_program(const Program& program, const TemplateData& data) {
  return Executor(program, data).run();
}

}  // namespace sentinel::domain::template_detail
