#include "prometheus/rule_file_export.hpp"

#include <yaml-cpp/emitter.h>
#include <yaml-cpp/emittermanip.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "prometheus/prometheus_duration.hpp"
#include "prometheus/promql_comparison.hpp"

namespace sentinel::prometheus {

namespace {

constexpr std::string_view default_group = "sentinel";

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Plain text a YAML 1.1 or 1.2 reader could take for something other than a
// string: numbers (hex, octal, binary, 1:20 sexagesimal), timestamps,
// booleans, null.
bool looks_typed(std::string_view s) {
  if (s.empty()) return true;
  static const std::set<std::string, std::less<>> words = {"true", "false", "yes", "no",   "on",    "off",
                                                           "y",    "n",     "null", "~",   "=",     "<<",
                                                           ".inf", "-.inf", "+.inf", ".nan"};
  if (words.contains(lowercase(s))) return true;
  static const std::regex number(
      R"(^[-+]?(0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[0-9][0-9_:]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.[0-9_]+([eE][-+]?[0-9]+)?)$)");
  static const std::regex timestamp(R"(^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?$)");
  const char first = s.front();
  if (!((first >= '0' && first <= '9') || first == '+' || first == '-' || first == '.')) return false;
  if (s.size() > 64) return false;
  const std::string text(s);
  return std::regex_match(text, number) || std::regex_match(text, timestamp);
}

// One line's scalar: yaml-cpp's choice of plain or quoted, quoted when plain
// text could read back as another type.
std::string inline_scalar(std::string_view s) {
  YAML::Emitter e;
  if (looks_typed(s)) e << YAML::DoubleQuoted;
  e << std::string(s);
  return e.c_str();
}

// A literal block holds `s` exactly when: it has a line break, no CR or other
// control characters (tabs included, to stay clear of indentation rules), a
// first line that neither is empty nor starts with a space (the block's
// indentation is taken from it), and at most one final line break (`|`
// keeps one, `|-` none).
bool literal_block_fits(std::string_view s) {
  if (s.find('\n') == std::string_view::npos) return false;
  if (s.front() == ' ' || s.front() == '\n') return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') return false;
  if (s.size() >= 2 && s[s.size() - 1] == '\n' && s[s.size() - 2] == '\n') return false;
  if (s.back() == ' ') return false;
  if (s.size() >= 2 && s.back() == '\n' && s[s.size() - 2] == ' ') return false;
  return true;
}

// `key: value` with the key at column `indent`, the value inline or as a
// literal block. `after_dash`: the line is already started ("  - ").
void write_field(std::string& out, int indent, std::string_view key, std::string_view value, bool after_dash = false) {
  if (!after_dash) out.append(static_cast<std::size_t>(indent), ' ');
  out += inline_scalar(key);
  out += ':';
  if (!literal_block_fits(value)) {
    out += ' ';
    out += inline_scalar(value);
    out += '\n';
    return;
  }
  const bool keep_final_break = value.back() == '\n';
  out += keep_final_break ? " |\n" : " |-\n";
  if (keep_final_break) value.remove_suffix(1);
  std::size_t begin = 0;
  while (begin <= value.size()) {
    std::size_t end = value.find('\n', begin);
    if (end == std::string_view::npos) end = value.size();
    const auto line = value.substr(begin, end - begin);
    if (!line.empty()) {
      out.append(static_cast<std::size_t>(indent) + 2, ' ');
      out += line;
    }
    out += '\n';
    begin = end + 1;
  }
}

// A comment stays one line whatever a name holds.
std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return out;
}

std::string seconds(std::int64_t s) { return format_prometheus_duration(s); }

// Sentinel-only settings that differ from their defaults.
std::string sentinel_comment(const domain::AlertRule& r) {
  std::vector<std::string> parts;
  if (r.server_id) parts.push_back("server #" + std::to_string(*r.server_id));
  if (r.recovery_threshold) parts.push_back("recovery_threshold " + format_threshold(*r.recovery_threshold) + " (hysteresis)");
  if (r.no_data_state != "ok") parts.push_back("no_data_state " + r.no_data_state);
  if (!r.is_active) parts.push_back("paused");
  if (r.repeat_interval_sec != 300)
    parts.push_back(r.repeat_interval_sec == 0 ? "no repeat" : "repeat every " + seconds(r.repeat_interval_sec));
  if (r.channel != "telegram") parts.push_back("channel " + r.channel);
  if (!r.channel_ids.empty()) {
    std::string ids = "channels";
    for (auto id : r.channel_ids) ids += " #" + std::to_string(id);
    parts.push_back(ids);
  }
  if (r.group_wait_sec) parts.push_back("group_wait " + seconds(*r.group_wait_sec));
  if (r.group_interval_sec) parts.push_back("group_interval " + seconds(*r.group_interval_sec));
  if (parts.empty()) return {};
  std::string out = "# Sentinel:";
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? " " : ", ") + one_line(parts[i]);
  return out;
}

std::string expression(const domain::AlertRule& r, const std::string& query) {
  if (r.comparison && r.threshold) return join_condition(query, *r.comparison, *r.threshold);
  // An every-series rule whose query is itself `A > 90` is written the way an
  // import of it will be exported again.
  if (auto split = split_condition(query)) return join_condition(split->promql, split->comparison, split->threshold);
  std::string_view q = query;
  while (!q.empty() && (q.front() == ' ' || q.front() == '\n' || q.front() == '\t' || q.front() == '\r'))
    q.remove_prefix(1);
  while (!q.empty() && (q.back() == ' ' || q.back() == '\n' || q.back() == '\t' || q.back() == '\r'))
    q.remove_suffix(1);
  return std::string(q);
}

struct Exported {
  const domain::AlertRule* rule;
  std::string expr;
};

struct OutGroup {
  std::string name;
  std::optional<std::int64_t> interval;
  std::vector<Exported> rules;  // by id
};

void write_rule(std::string& out, const Exported& e) {
  const auto& r = *e.rule;
  if (auto comment = sentinel_comment(r); !comment.empty()) out += "      " + comment + "\n";
  out += "      - ";
  write_field(out, 8, "alert", r.name, true);
  write_field(out, 8, "expr", e.expr);
  if (r.for_sec > 0) write_field(out, 8, "for", seconds(r.for_sec));
  if (r.keep_firing_for_sec > 0) write_field(out, 8, "keep_firing_for", seconds(r.keep_firing_for_sec));
  out += "        labels:\n";
  write_field(out, 10, "severity", r.severity);
  for (const auto& [k, v] : r.labels)
    if (k != "severity") write_field(out, 10, k, v);
  std::vector<std::pair<std::string_view, std::string_view>> annotations;
  if (r.summary) annotations.emplace_back("summary", *r.summary);
  if (r.description) annotations.emplace_back("description", *r.description);
  for (const auto& [k, v] : r.annotations)
    if (k != "summary" && k != "description") annotations.emplace_back(k, v);
  if (annotations.empty()) return;
  out += "        annotations:\n";
  for (const auto& [k, v] : annotations) write_field(out, 10, k, v);
}

// The partitions of one rule_group by evaluation interval (rules by id).
std::vector<OutGroup> partition(const std::string& name, std::vector<Exported> rules) {
  std::map<std::optional<std::int64_t>, std::size_t> count;
  for (const auto& e : rules) ++count[e.rule->eval_interval_sec];
  std::optional<std::int64_t> main = rules.front().rule->eval_interval_sec;
  for (const auto& [interval, n] : count)
    if (n > count[main]) main = interval;
  std::vector<OutGroup> out;
  std::map<std::optional<std::int64_t>, std::size_t> index;
  for (auto& e : rules) {
    const auto interval = e.rule->eval_interval_sec;
    auto [it, fresh] = index.emplace(interval, out.size());
    if (fresh) {
      std::string group_name = name;
      if (interval != main) group_name += " (" + (interval ? seconds(*interval) : std::string("default")) + ")";
      out.push_back(OutGroup{std::move(group_name), interval, {}});
    }
    out[it->second].rules.push_back(std::move(e));
  }
  return out;
}

}  // namespace

std::string export_rule_file(const std::vector<domain::AlertRule>& rules,
                             const std::function<std::optional<std::string>(const domain::AlertRule&)>& query_of) {
  std::vector<const domain::AlertRule*> by_id;
  by_id.reserve(rules.size());
  for (const auto& r : rules) by_id.push_back(&r);
  std::stable_sort(by_id.begin(), by_id.end(), [](auto* a, auto* b) { return a->id < b->id; });

  std::string out = "# Alerting rules exported by Sentinel.\n";
  std::vector<std::string> group_order;
  std::map<std::string, std::vector<Exported>> by_group;
  for (const auto* r : by_id) {
    auto query = query_of(*r);
    if (!query) {
      out += "# Sentinel: rule " + std::to_string(r->id) + " \"" + one_line(r->name) +
             "\" left out: its query could not be written for Prometheus\n";
      continue;
    }
    const std::string group = r->rule_group.value_or(std::string(default_group));
    auto [it, fresh] = by_group.try_emplace(group);
    if (fresh) group_order.push_back(group);
    it->second.push_back(Exported{r, expression(*r, *query)});
  }

  std::vector<OutGroup> groups;
  for (const auto& name : group_order)
    for (auto& g : partition(name, std::move(by_group[name]))) groups.push_back(std::move(g));
  std::stable_sort(groups.begin(), groups.end(),
                   [](const OutGroup& a, const OutGroup& b) { return a.rules.front().rule->id < b.rules.front().rule->id; });
  // Prometheus refuses a file with two groups of one name.
  std::set<std::string> used;
  for (const auto& g : groups) used.insert(g.name);
  std::set<std::string> taken;
  for (auto& g : groups) {
    if (!taken.insert(g.name).second) {
      for (int n = 2;; ++n) {
        std::string candidate = g.name + " (" + std::to_string(n) + ")";
        if (!used.contains(candidate) && taken.insert(candidate).second) {
          g.name = std::move(candidate);
          break;
        }
      }
    }
  }

  if (groups.empty()) {
    out += "groups: []\n";
    return out;
  }
  out += "groups:\n";
  for (const auto& g : groups) {
    out += "  - ";
    write_field(out, 4, "name", g.name, true);
    if (g.interval) write_field(out, 4, "interval", seconds(*g.interval));
    out += "    rules:\n";
    for (const auto& e : g.rules) write_rule(out, e);
  }
  return out;
}

}  // namespace sentinel::prometheus
