#include "prometheus/rule_file_import.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/utf8.hpp"
#include "domain/message_template.hpp"
#include "prometheus/prometheus_duration.hpp"
#include "prometheus/promql_comparison.hpp"
#include "prometheus/promql_template.hpp"

namespace sentinel::prometheus {

namespace {

// ---------------------------------------------------------------- YAML tree
// yaml-cpp's own node builder (YAML::Load) spends most of a large file's time
// in its node bookkeeping; this flat tree of the parser's events is about
// four times faster, and an alias shares its anchor's node instead of copying.

struct Node {
  enum class Type { null, scalar, sequence, map };
  Type type = Type::null;
  std::string scalar;
  YAML::Mark mark;
  std::vector<std::size_t> items;  // sequence: elements; map: key, value, key, value…
};

class TreeBuilder final : public YAML::EventHandler {
 public:
  std::vector<Node> nodes;
  std::vector<std::size_t> roots;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { add(Node::Type::null, mark, anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw YAML::ParserException(mark, "unknown anchor");
    attach(it->second);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string& value) override {
    nodes[add(Node::Type::scalar, mark, anchor)].scalar = value;
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open_.push_back(add(Node::Type::sequence, mark, anchor));
  }
  void OnSequenceEnd() override { open_.pop_back(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open_.push_back(add(Node::Type::map, mark, anchor));
  }
  void OnMapEnd() override { open_.pop_back(); }

 private:
  std::size_t add(Node::Type type, const YAML::Mark& mark, YAML::anchor_t anchor) {
    nodes.push_back(Node{type, {}, mark, {}});
    const std::size_t index = nodes.size() - 1;
    if (anchor != YAML::NullAnchor) anchors_[anchor] = index;
    attach(index);
    return index;
  }
  void attach(std::size_t index) {
    if (open_.empty())
      roots.push_back(index);
    else
      nodes[open_.back()].items.push_back(index);
  }
  std::vector<std::size_t> open_;
  std::unordered_map<YAML::anchor_t, std::size_t> anchors_;
};

// ---------------------------------------------------------------- helpers

FilePosition position_of(const YAML::Mark& mark) {
  if (mark.line < 0 || mark.column < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

std::string at(FilePosition p) {
  if (p.line <= 0) return {};
  return "line " + std::to_string(p.line) + ", column " + std::to_string(p.column) + ": ";
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::size_t char_count(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = core::utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool is_label_name(std::string_view s) {
  if (s.empty()) return false;
  auto head = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!head(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return head(c) || (c >= '0' && c <= '9'); });
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// The limits of the rules API (domain/alert_rule_json.cpp), so that an
// imported rule is one the API would accept.
constexpr std::size_t max_name_chars = 255;
constexpr std::size_t max_promql_chars = 10000;
constexpr std::size_t max_summary_chars = 1000;
constexpr std::size_t max_description_chars = 4000;
constexpr std::size_t max_label_name_chars = 128;
constexpr std::size_t max_label_value_chars = 1000;
constexpr std::size_t max_annotation_chars = 4000;
constexpr std::size_t max_labels = 30;
constexpr std::int64_t one_year_sec = 31536000;
constexpr std::int64_t max_eval_interval_sec = 86400;

// Where a problem is: its position and loc path.
struct Problem {
  FilePosition position;
  std::string message;
  std::vector<std::string> loc;
};

using Loc = std::vector<std::string>;

Loc extend(Loc loc, std::initializer_list<std::string_view> more) {
  for (auto m : more) loc.emplace_back(m);
  return loc;
}

// One entry of a mapping whose key is a scalar.
struct Entry {
  std::string_view key;
  const Node* key_node;
  const Node* value;
};

class Reader {
 public:
  explicit Reader(const std::vector<Node>& nodes) : nodes_(nodes) {}
  const Node& at(std::size_t i) const { return nodes_[i]; }

  // The entries of a mapping, or the first problem: a key that is not a
  // scalar, or a key given twice (go-yaml, and so Prometheus, refuses both).
  std::expected<std::vector<Entry>, Problem> entries(const Node& map, const Loc& loc) const {
    std::vector<Entry> out;
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i + 1 < map.items.size(); i += 2) {
      const Node& key = nodes_[map.items[i]];
      const Node& value = nodes_[map.items[i + 1]];
      if (key.type != Node::Type::scalar)
        return std::unexpected(Problem{position_of(key.mark), "a mapping key must be a string", loc});
      if (!seen.insert(key.scalar).second)
        return std::unexpected(Problem{position_of(key.mark), "field " + quoted(key.scalar) + " given twice",
                                       extend(loc, {key.scalar})});
      out.push_back(Entry{key.scalar, &key, &value});
    }
    return out;
  }

 private:
  const std::vector<Node>& nodes_;
};

FilePosition where(const Entry& e) {
  // A null value (`for:`) has no useful mark of its own; its key has.
  return e.value->type == Node::Type::null ? position_of(e.key_node->mark) : position_of(e.value->mark);
}

// Label or annotation values in the file, with where each one is.
struct Value {
  std::string text;
  FilePosition position;
  Loc loc;
};

// A `labels:`/`annotations:` mapping of names to scalars (null is "").
std::expected<std::map<std::string, Value>, Problem> string_map(const Reader& r, const Entry& e, const Loc& loc,
                                                                std::string_view what) {
  std::map<std::string, Value> out;
  if (e.value->type == Node::Type::null) return out;
  if (e.value->type != Node::Type::map)
    return std::unexpected(Problem{where(e), std::string(what) + " must be a mapping of names to strings", loc});
  auto entries = r.entries(*e.value, loc);
  if (!entries) return std::unexpected(entries.error());
  for (const auto& item : *entries) {
    Loc item_loc = extend(loc, {item.key});
    if (item.value->type == Node::Type::sequence || item.value->type == Node::Type::map)
      return std::unexpected(
          Problem{where(item), std::string(what) + " " + quoted(item.key) + ": the value must be a string", item_loc});
    out.emplace(std::string(item.key), Value{item.value->scalar, where(item), std::move(item_loc)});
  }
  return out;
}

// Severity words in common use, onto Sentinel's three.
std::optional<std::string> severity_of(std::string_view word) {
  static const std::map<std::string, std::string, std::less<>> words = {
      {"critical", "critical"}, {"page", "critical"},     {"high", "critical"},   {"error", "critical"},
      {"fatal", "critical"},    {"emergency", "critical"}, {"disaster", "critical"}, {"warning", "warning"},
      {"warn", "warning"},      {"medium", "warning"},    {"major", "warning"},   {"minor", "warning"},
      {"info", "info"},         {"low", "info"},          {"none", "info"},       {"notice", "info"},
      {"informational", "info"}};
  auto it = words.find(lowercase(trim(word)));
  if (it == words.end()) return std::nullopt;
  return it->second;
}

// ---------------------------------------------------------------- groups

struct Group {
  std::string name;
  std::size_t index = 0;
  std::optional<std::int64_t> eval_interval_sec;
  std::optional<Problem> failure;  // Sentinel cannot take this group's rules
  std::map<std::string, Value> labels;
  std::vector<std::string> notes;
  std::vector<const Node*> rules;
};

// Accepted and not mapped: Prometheus's limit and query_offset, vmalert's
// options (its `type` is checked above).
constexpr std::array<std::string_view, 11> ignored_group_options = {
    "limit",   "query_offset",     "concurrency", "eval_offset",         "eval_delay", "params",
    "headers", "notifier_headers", "debug",       "extra_filter_labels", "tenant"};

std::optional<Group> read_group(const Reader& r, const Node& node, std::size_t index, std::vector<FileError>& errors) {
  const Loc loc = {"groups", std::to_string(index)};
  auto fail = [&](FilePosition p, std::string msg, Loc l) {
    errors.push_back(FileError{p, std::move(msg), std::move(l)});
    return std::nullopt;
  };
  if (node.type != Node::Type::map) return fail(position_of(node.mark), "a group must be a mapping", loc);
  auto entries = r.entries(node, loc);
  if (!entries) return fail(entries.error().position, entries.error().message, entries.error().loc);
  Group g;
  g.index = index;
  bool named = false;
  for (const auto& e : *entries) {
    const Loc field = extend(loc, {e.key});
    if (e.key == "name") {
      if (e.value->type != Node::Type::scalar || e.value->scalar.empty())
        return fail(where(e), "a group name must be a non-empty string", field);
      g.name = e.value->scalar;
      named = true;
    } else if (e.key == "rules") {
      if (e.value->type == Node::Type::null) continue;
      if (e.value->type != Node::Type::sequence) return fail(where(e), "rules must be a list", field);
      for (auto item : e.value->items) g.rules.push_back(&r.at(item));
    } else if (e.key == "interval") {
      if (e.value->type != Node::Type::scalar) return fail(where(e), "interval must be a duration", field);
      auto ms = parse_prometheus_duration(e.value->scalar);
      if (!ms) return fail(where(e), "interval: " + ms.error(), field);
      if (*ms == 0) {
        g.notes.push_back("group interval 0s: Sentinel's default evaluation interval");
      } else if (*ms % 1000 != 0 || *ms / 1000 > max_eval_interval_sec) {
        g.failure = Problem{where(e),
                            "group interval " + e.value->scalar +
                                ": Sentinel evaluates every 1s to 1d, in whole seconds",
                            field};
      } else {
        g.eval_interval_sec = *ms / 1000;
      }
    } else if (e.key == "labels") {
      auto labels = string_map(r, e, field, "group labels");
      if (!labels) return fail(labels.error().position, labels.error().message, labels.error().loc);
      g.labels = std::move(*labels);
      if (!g.labels.empty()) {
        std::string names;
        for (const auto& [name, _] : g.labels) names += (names.empty() ? "" : ", ") + name;
        g.notes.push_back("group labels merged into the rule's labels: " + names);
      }
    } else if (e.key == "type") {
      // vmalert: the datasource type; only PromQL (prometheus) is Sentinel's.
      if (e.value->type != Node::Type::null &&
          !(e.value->type == Node::Type::scalar && e.value->scalar == "prometheus"))
        return fail(where(e), "type: only \"prometheus\" rules can be imported (vmalert's graphite and "
                              "vlogs rules cannot)",
                    field);
    } else if (std::find(ignored_group_options.begin(), ignored_group_options.end(), e.key) !=
               ignored_group_options.end()) {
      g.notes.push_back("group option " + std::string(e.key) + " ignored");
    } else {
      return fail(position_of(e.key_node->mark), "unknown group field " + quoted(e.key), field);
    }
  }
  if (!named) return fail(position_of(node.mark), "a group needs a name", extend(loc, {"name"}));
  if (char_count(g.name) > max_name_chars || blank(g.name) || !valid_utf8(g.name))
    g.failure = Problem{position_of(node.mark), "group name: 1 to 255 characters of UTF-8, not blank",
                        extend(loc, {"name"})};
  return g;
}

// ---------------------------------------------------------------- rules

constexpr std::array<std::string_view, 7> rule_fields = {"alert",  "record",      "expr", "for", "keep_firing_for",
                                                         "labels", "annotations"};
constexpr std::array<std::string_view, 2> ignored_rule_fields = {"update_entries_limit", "debug"};

// A failed rule's reason and field, from the first problem found.
MappedRule failed(MappedRule m, const Problem& p) {
  m.outcome = RuleOutcome::failed;
  m.reason = at(p.position) + p.message;
  m.failed_fields = p.loc;
  m.notes.clear();
  m.rule.reset();
  return m;
}

std::expected<std::int64_t, Problem> seconds_of(const Entry& e, const Loc& loc) {
  if (e.value->type == Node::Type::null) return 0;
  const std::string name(e.key);
  if (e.value->type != Node::Type::scalar) return std::unexpected(Problem{where(e), name + ": must be a duration", loc});
  auto ms = parse_prometheus_duration(e.value->scalar);
  if (!ms) return std::unexpected(Problem{where(e), name + ": " + ms.error(), loc});
  if (*ms % 1000 != 0)
    return std::unexpected(Problem{where(e), name + ": " + e.value->scalar + " is not whole seconds", loc});
  if (*ms / 1000 > one_year_sec)
    return std::unexpected(Problem{where(e), name + ": " + e.value->scalar + " is longer than a year", loc});
  return *ms / 1000;
}

std::optional<Problem> check_template(const Value& v, std::string_view what) {
  auto t = domain::MessageTemplate::parse(v.text);
  if (t) return std::nullopt;
  return Problem{v.position, std::string(what) + ": " + domain::describe(t.error()), v.loc};
}

std::optional<Problem> check_text(const Value& v, std::string_view what, std::size_t max_chars) {
  if (!valid_utf8(v.text)) return Problem{v.position, std::string(what) + ": not valid UTF-8", v.loc};
  if (char_count(v.text) > max_chars)
    return Problem{v.position, std::string(what) + ": longer than " + std::to_string(max_chars) + " characters",
                   v.loc};
  return check_template(v, what);
}

MappedRule map_rule(const Reader& r, const Node& node, const Group& g, std::size_t rule_index) {
  MappedRule m;
  m.group = g.name;
  m.group_index = g.index;
  m.rule_index = rule_index;
  m.position = position_of(node.mark);
  const Loc loc = {"groups", std::to_string(g.index), "rules", std::to_string(rule_index)};
  if (node.type != Node::Type::map) return failed(m, Problem{m.position, "a rule must be a mapping", loc});
  auto entries = r.entries(node, loc);
  if (!entries) return failed(m, entries.error());

  std::map<std::string_view, Entry> fields;
  std::optional<Problem> unknown;
  for (const auto& e : *entries) {
    if (std::find(rule_fields.begin(), rule_fields.end(), e.key) != rule_fields.end()) {
      fields.emplace(e.key, e);
    } else if (std::find(ignored_rule_fields.begin(), ignored_rule_fields.end(), e.key) !=
               ignored_rule_fields.end()) {
      m.notes.push_back("rule option " + std::string(e.key) + " ignored (vmalert)");
    } else if (!unknown) {
      unknown = Problem{position_of(e.key_node->mark), "unknown rule field " + quoted(e.key), extend(loc, {e.key})};
    }
  }
  auto scalar = [&](std::string_view key) -> const Entry* {
    auto it = fields.find(key);
    return it == fields.end() || it->second.value->type == Node::Type::null ? nullptr : &it->second;
  };
  const Entry* alert = scalar("alert");
  const Entry* record = scalar("record");
  if (alert && alert->value->type == Node::Type::scalar) m.name = alert->value->scalar;
  if (record && record->value->type == Node::Type::scalar) m.name = record->value->scalar;
  if (unknown) return failed(m, *unknown);
  if (alert && record)
    return failed(m, Problem{m.position, "a rule has alert or record, not both", loc});
  if (!alert && !record)
    return failed(m, Problem{m.position, "a rule needs alert (an alerting rule) or record (a recording rule)", loc});
  if (record) {
    m.outcome = RuleOutcome::skipped;
    m.reason = at(m.position) + "recording rule: Sentinel evaluates alerting rules only";
    m.notes.clear();
    return m;
  }
  for (const auto& [key, e] : fields)
    if ((key == "alert" || key == "expr") && e.value->type != Node::Type::scalar && e.value->type != Node::Type::null)
      return failed(m, Problem{where(e), std::string(key) + ": must be a string", extend(loc, {key})});
  if (g.failure) return failed(m, *g.failure);

  domain::AlertRuleCreate rule;
  rule.server_id = std::nullopt;
  rule.rule_group = g.name;
  rule.eval_interval_sec = g.eval_interval_sec;
  rule.name = m.name;
  const Loc alert_loc = extend(loc, {"alert"});
  if (rule.name.empty() || blank(rule.name) || char_count(rule.name) > max_name_chars || !valid_utf8(rule.name))
    return failed(m, Problem{where(*alert), "alert: a name of 1 to 255 characters of UTF-8, not blank", alert_loc});

  const Entry* expr = scalar("expr");
  const Loc expr_loc = extend(loc, {"expr"});
  if (!expr || blank(expr->value->scalar))
    return failed(m, Problem{expr ? where(*expr) : m.position, "expr is required", expr_loc});
  const std::string_view text = trim(expr->value->scalar);
  if (!valid_utf8(text)) return failed(m, Problem{where(*expr), "expr: not valid UTF-8", expr_loc});
  if (char_count(text) > max_promql_chars)
    return failed(m, Problem{where(*expr), "expr: longer than 10000 characters", expr_loc});
  if (uses_template_vars(text))
    return failed(m, Problem{where(*expr),
                             "expr: $instance and $job are Sentinel's per-server variables, not PromQL; "
                             "imported rules are fleet rules",
                             expr_loc});
  if (auto split = split_condition(text)) {
    m.notes.push_back("condition `" + split->comparison + " " + format_threshold(split->threshold) + "` split off");
    rule.promql = std::move(split->promql);
    rule.comparison = std::move(split->comparison);
    rule.threshold = split->threshold;
  } else {
    m.notes.push_back("fires for every series the expression returns (no top-level comparison against a number)");
    rule.promql = std::string(text);
    rule.comparison = std::nullopt;
    rule.threshold = std::nullopt;
  }
  rule.metric_name = first_metric_name(rule.promql)
                         .value_or(std::string(core::utf8_prefix(rule.name, max_name_chars)));
  if (char_count(rule.metric_name) > max_name_chars)
    rule.metric_name = std::string(core::utf8_prefix(rule.metric_name, max_name_chars));

  for (auto [key, target] : {std::pair{"for", &rule.for_sec}, std::pair{"keep_firing_for", &rule.keep_firing_for_sec}})
    if (auto it = fields.find(key); it != fields.end()) {
      auto sec = seconds_of(it->second, extend(loc, {key}));
      if (!sec) return failed(m, sec.error());
      *target = *sec;
    }

  // Labels: the group's, then the rule's own over them.
  std::map<std::string, Value> labels = g.labels;
  if (auto it = fields.find("labels"); it != fields.end()) {
    auto own = string_map(r, it->second, extend(loc, {"labels"}), "labels");
    if (!own) return failed(m, own.error());
    for (auto& [name, v] : *own) labels.insert_or_assign(name, std::move(v));
  }
  if (auto it = labels.find("severity"); it != labels.end()) {
    const std::string& word = it->second.text;
    if (auto s = severity_of(word)) {
      rule.severity = *s;
      if (word != *s) m.notes.push_back("severity " + quoted(word) + " mapped to " + *s);
    } else {
      rule.severity = "warning";
      m.notes.push_back("severity " + quoted(word) + " is not info, warning or critical: mapped to warning");
    }
    labels.erase(it);
  }
  if (labels.size() > max_labels)
    return failed(m, Problem{m.position, "more than 30 labels", extend(loc, {"labels"})});
  for (const auto& [name, v] : labels) {
    if (name == "alertname" || name == "__name__")
      return failed(m, Problem{v.position, "label " + name + ": set by the alert itself", v.loc});
    if (!is_label_name(name) || char_count(name) > max_label_name_chars)
      return failed(m, Problem{v.position, "label " + quoted(name) + ": a name must match [a-zA-Z_][a-zA-Z0-9_]*",
                               v.loc});
    if (auto p = check_text(v, "label " + name, max_label_value_chars)) return failed(m, *p);
    rule.labels.emplace(name, v.text);
  }

  if (auto it = fields.find("annotations"); it != fields.end()) {
    auto annotations = string_map(r, it->second, extend(loc, {"annotations"}), "annotations");
    if (!annotations) return failed(m, annotations.error());
    std::size_t others = 0;
    for (const auto& [name, v] : *annotations) {
      if (!is_label_name(name) || char_count(name) > max_label_name_chars)
        return failed(m, Problem{v.position,
                                 "annotation " + quoted(name) + ": a name must match [a-zA-Z_][a-zA-Z0-9_]*", v.loc});
      const std::size_t max = name == "summary"       ? max_summary_chars
                              : name == "description" ? max_description_chars
                                                      : max_annotation_chars;
      if (auto p = check_text(v, "annotation " + name, max)) return failed(m, *p);
      if (name == "summary")
        rule.summary = v.text;
      else if (name == "description")
        rule.description = v.text;
      else if (++others > max_labels)
        return failed(m, Problem{v.position, "more than 30 annotations besides summary and description", v.loc});
      else
        rule.annotations.emplace(name, v.text);
    }
  }

  m.notes.insert(m.notes.end(), g.notes.begin(), g.notes.end());
  m.rule = std::move(rule);
  return m;
}

}  // namespace

std::expected<std::vector<MappedRule>, std::vector<FileError>> parse_rule_file(std::string_view yaml) {
  TreeBuilder tree;
  try {
    std::istringstream in{std::string(yaml)};
    YAML::Parser parser(in);
    if (parser.HandleNextDocument(tree) && parser.HandleNextDocument(tree) && tree.roots.size() > 1 &&
        tree.nodes[tree.roots[1]].type != Node::Type::null)
      return std::unexpected(std::vector<FileError>{
          {position_of(tree.nodes[tree.roots[1]].mark),
           "more than one YAML document: a rule file is one mapping with groups", {}}});
  } catch (const YAML::Exception& e) {
    std::string msg = e.msg == "bad file" ? "invalid YAML (or nested too deeply)" : e.msg;
    return std::unexpected(std::vector<FileError>{{position_of(e.mark), "YAML: " + msg, {}}});
  }
  if (tree.roots.empty() || tree.nodes[tree.roots[0]].type == Node::Type::null)
    return std::unexpected(std::vector<FileError>{{{}, "the file is empty: a rule file is a mapping with groups", {}}});
  const Reader r(tree.nodes);
  const Node& root = r.at(tree.roots[0]);
  if (root.type != Node::Type::map)
    return std::unexpected(std::vector<FileError>{
        {position_of(root.mark), "the top level must be a mapping with groups (Prometheus rule file format)", {}}});
  auto top = r.entries(root, {});
  if (!top) return std::unexpected(std::vector<FileError>{{top.error().position, top.error().message, top.error().loc}});

  std::vector<FileError> errors;
  const Node* groups = nullptr;
  for (const auto& e : *top) {
    if (e.key == "groups")
      groups = e.value;
    else
      errors.push_back({position_of(e.key_node->mark), "unknown top-level field " + quoted(e.key), {std::string(e.key)}});
  }
  if (!groups)
    errors.push_back({position_of(root.mark), "groups is required", {"groups"}});
  else if (groups->type != Node::Type::sequence)
    errors.push_back({position_of(groups->mark), "groups must be a list of groups", {"groups"}});
  if (!errors.empty()) return std::unexpected(std::move(errors));

  std::vector<Group> read;
  std::map<std::string, std::size_t> names;
  std::size_t total_rules = 0;
  for (std::size_t i = 0; i < groups->items.size(); ++i) {
    const Node& node = r.at(groups->items[i]);
    auto g = read_group(r, node, i, errors);
    if (!g) continue;
    if (auto [it, fresh] = names.emplace(g->name, i); !fresh) {
      errors.push_back({position_of(node.mark),
                        "group name " + quoted(g->name) + " is repeated in the same file (first: group " +
                            std::to_string(it->second) + ")",
                        {"groups", std::to_string(i), "name"}});
      continue;
    }
    total_rules += g->rules.size();
    read.push_back(std::move(*g));
  }
  if (total_rules > max_rules_per_file)
    errors.push_back({{}, "more than " + std::to_string(max_rules_per_file) + " rules in one file", {"groups"}});
  if (!errors.empty()) return std::unexpected(std::move(errors));

  std::vector<MappedRule> out;
  out.reserve(total_rules);
  for (const auto& g : read)
    for (std::size_t j = 0; j < g.rules.size(); ++j) out.push_back(map_rule(r, *g.rules[j], g, j));
  return out;
}

std::string describe(const FileError& error) { return at(error.position) + error.message; }

}  // namespace sentinel::prometheus
