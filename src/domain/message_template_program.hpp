#pragma once
// Internal to sentinel_domain: the parsed form of a MessageTemplate, shared by
// the parser that builds it (message_template_parser.cpp) and the executor
// that renders it (message_template_executor.cpp). Nothing outside
// src/domain/message_template* includes this.
#include <array>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "domain/message_template.hpp"

namespace sentinel::domain::template_detail {

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

// The variables Prometheus defines by prefixing every template, in the order
// the parser declares them.
inline constexpr std::size_t slot_root = 0;
inline constexpr std::size_t slot_labels = 1;
inline constexpr std::size_t slot_external_labels = 2;
inline constexpr std::size_t slot_external_url = 3;
inline constexpr std::size_t slot_value = 4;

// FuncInfo::max_args of a function that takes any number of arguments.
inline constexpr std::size_t variadic = std::numeric_limits<std::size_t>::max();

struct FuncInfo {
  std::string_view name;
  Func func;
  std::size_t min_args;
  std::size_t max_args;
};

inline constexpr std::array<FuncInfo, 26> functions{{
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

// Every Func has its row, so the lookup cannot miss.
inline const FuncInfo& function_info(Func f) {
  for (const FuncInfo& info : functions)
    if (info.func == f) return info;
  return functions.front();
}

// Text -> program, or the first syntax error (message_template_parser.cpp).
std::expected<std::shared_ptr<Program>, TemplateError> parse_program(std::string_view text);

// Program + data -> message, within the output and work limits
// (message_template_executor.cpp).
std::string execute_program(const Program& program, const TemplateData& data);

}  // namespace sentinel::domain::template_detail
