#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "prometheus/rule_file_import.hpp"

#ifndef SENTINEL_RULE_FIXTURES
#error "SENTINEL_RULE_FIXTURES must name tests/fixtures/rule_files"
#endif

namespace sentinel::prometheus {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(SENTINEL_RULE_FIXTURES) + "/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<MappedRule> parse_ok(std::string_view yaml) {
  auto r = parse_rule_file(yaml);
  if (!r) {
    for (const auto& e : r.error()) ADD_FAILURE() << describe(e);
    return {};
  }
  return std::move(*r);
}

std::vector<FileError> parse_bad(std::string_view yaml) {
  auto r = parse_rule_file(yaml);
  EXPECT_FALSE(r.has_value()) << yaml;
  return r ? std::vector<FileError>{} : r.error();
}

const domain::AlertRuleCreate& rule(const MappedRule& m) {
  EXPECT_EQ(m.outcome, RuleOutcome::mapped) << m.name << ": " << m.reason;
  static const domain::AlertRuleCreate none;
  return m.rule ? *m.rule : none;
}

bool has_note(const MappedRule& m, std::string_view text) {
  for (const auto& n : m.notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

// ------------------------------------------------------------ fixtures

TEST(RuleFileImport, NodeExporter) {
  auto rules = parse_ok(fixture("node_exporter.yml"));
  ASSERT_EQ(rules.size(), 9U);
  for (const auto& m : rules) EXPECT_EQ(m.outcome, RuleOutcome::mapped) << m.name << ": " << m.reason;

  const auto& memory = rule(rules[0]);  // `(… < 10) * on(instance) group_left …`: whole
  EXPECT_EQ(rules[0].name, "HostOutOfMemory");
  EXPECT_EQ(rules[0].group, "node-exporter");
  EXPECT_EQ(rules[0].position.line, 5);
  EXPECT_EQ(rules[0].position.column, 9);
  EXPECT_FALSE(memory.comparison);
  EXPECT_FALSE(memory.threshold);
  EXPECT_EQ(memory.for_sec, 120);
  EXPECT_EQ(memory.severity, "warning");
  EXPECT_EQ(memory.metric_name, "node_memory_MemAvailable_bytes");
  EXPECT_EQ(memory.summary, "Host out of memory (instance {{ $labels.instance }})");
  EXPECT_EQ(memory.description,
            "Node memory is filling up (< 10% left)\n  VALUE = {{ $value }}\n  LABELS = {{ $labels }}");
  EXPECT_EQ(memory.rule_group, "node-exporter");
  EXPECT_FALSE(memory.server_id);
  EXPECT_FALSE(memory.eval_interval_sec);
  EXPECT_TRUE(has_note(rules[0], "fires for every series"));

  const auto& cpu = rule(rules[1]);
  EXPECT_EQ(cpu.promql, R"(100 - (avg by(instance) (rate(node_cpu_seconds_total{mode="idle"}[2m])) * 100))");
  EXPECT_EQ(cpu.comparison, ">");
  EXPECT_EQ(cpu.threshold, 80);
  EXPECT_EQ(cpu.for_sec, 600);
  EXPECT_TRUE(has_note(rules[1], "condition `> 80` split off"));

  EXPECT_FALSE(rule(rules[2]).comparison);  // top-level and
  EXPECT_EQ(rule(rules[2]).severity, "critical");
  const auto& fill24 = rule(rules[3]);  // literal block with `and ON`: whole, trimmed
  EXPECT_FALSE(fill24.comparison);
  EXPECT_EQ(fill24.promql.back(), '0');
  EXPECT_EQ(fill24.promql.front(), '(');

  const auto& fill4 = rule(rules[4]);
  EXPECT_EQ(fill4.promql, R"(predict_linear(node_filesystem_free_bytes{fstype!~"tmpfs"}[1h], 4 * 3600))");
  EXPECT_EQ(fill4.comparison, "<");
  EXPECT_EQ(fill4.threshold, 0);
  EXPECT_EQ(fill4.severity, "critical");
  EXPECT_TRUE(has_note(rules[4], "severity \"page\" mapped to critical"));

  EXPECT_EQ(rule(rules[5]).threshold, 2);
  const auto& mem = rule(rules[6]);
  EXPECT_EQ(mem.threshold, 0.9);
  EXPECT_EQ(mem.labels, (std::map<std::string, std::string>{{"team", "infra"}}));
  EXPECT_EQ(mem.annotations,
            (std::map<std::string, std::string>{{"runbook_url", "https://runbooks.example.com/host-memory"}}));

  const auto& down = rule(rules[7]);
  EXPECT_EQ(down.promql, R"(up{job="node"})");
  EXPECT_EQ(down.comparison, "==");
  EXPECT_EQ(down.threshold, 0);
  EXPECT_EQ(down.metric_name, "up");

  const auto& skew = rule(rules[8]);
  EXPECT_EQ(rules[8].group, "node-exporter-slow");
  EXPECT_EQ(rules[8].group_index, 1U);
  EXPECT_EQ(rules[8].rule_index, 0U);
  EXPECT_EQ(skew.eval_interval_sec, 300);
  EXPECT_FALSE(skew.comparison);  // top-level or
}

TEST(RuleFileImport, Blackbox) {
  auto rules = parse_ok(fixture("blackbox.yml"));
  ASSERT_EQ(rules.size(), 6U);
  EXPECT_EQ(rule(rules[0]).promql, "probe_success");
  EXPECT_EQ(rule(rules[0]).comparison, "==");
  EXPECT_EQ(rule(rules[0]).for_sec, 0);
  EXPECT_EQ(rule(rules[1]).promql, "avg_over_time(probe_duration_seconds[1m])");
  EXPECT_EQ(rule(rules[1]).threshold, 1);
  EXPECT_FALSE(rule(rules[2]).comparison);  // `< 86400 * 20`: not one literal
  EXPECT_EQ(rule(rules[2]).promql, "probe_ssl_earliest_cert_expiry - time() < 86400 * 20");
  EXPECT_EQ(rule(rules[3]).promql, "probe_ssl_earliest_cert_expiry - time()");  // 0 >= A flipped
  EXPECT_EQ(rule(rules[3]).comparison, "<=");
  EXPECT_EQ(rule(rules[3]).threshold, 0);
  EXPECT_FALSE(rule(rules[4]).comparison);  // OR
  EXPECT_EQ(rule(rules[5]).description, "HTTP request took more than 1s: {{ printf \"%.2f\" $value }}s");
}

TEST(RuleFileImport, MultiWindow) {
  auto rules = parse_ok(fixture("multi_window.yml"));
  ASSERT_EQ(rules.size(), 3U);
  EXPECT_EQ(rules[0].name, "ApiErrorBudgetBurn");
  EXPECT_EQ(rules[1].name, "ApiErrorBudgetBurn");  // same name twice in a group: file order kept
  EXPECT_FALSE(rule(rules[0]).comparison);
  EXPECT_FALSE(rule(rules[1]).comparison);
  EXPECT_EQ(rule(rules[0]).severity, "critical");
  EXPECT_EQ(rule(rules[0]).labels.at("long_window"), "1h");
  EXPECT_EQ(rule(rules[1]).severity, "warning");
  EXPECT_TRUE(has_note(rules[1], "severity \"ticket\" is not info, warning or critical: mapped to warning"));
  EXPECT_EQ(rule(rules[2]).threshold, 0.05);
  EXPECT_EQ(rule(rules[2]).metric_name, "http_requests_total");
}

TEST(RuleFileImport, AbsentAndBool) {
  auto rules = parse_ok(fixture("absent_and_bool.yml"));
  ASSERT_EQ(rules.size(), 4U);
  EXPECT_FALSE(rule(rules[0]).comparison);
  EXPECT_EQ(rule(rules[0]).promql, R"(absent(up{job="node"}))");
  EXPECT_EQ(rule(rules[0]).metric_name, "up");
  EXPECT_FALSE(rule(rules[1]).comparison);  // == bool 0
  EXPECT_EQ(rule(rules[1]).severity, "info");
  EXPECT_EQ(rule(rules[2]).promql, "count(up == 1)");
  EXPECT_EQ(rule(rules[2]).comparison, "<");
  EXPECT_EQ(rule(rules[2]).threshold, 1);
  EXPECT_FALSE(rule(rules[2]).summary);
  EXPECT_EQ(rule(rules[3]).threshold, 2);
}

TEST(RuleFileImport, RecordingRulesAreSkipped) {
  auto rules = parse_ok(fixture("recording.yml"));
  ASSERT_EQ(rules.size(), 4U);
  EXPECT_EQ(rules[0].outcome, RuleOutcome::skipped);
  EXPECT_EQ(rules[0].name, "instance:node_cpu_utilisation:rate5m");
  EXPECT_THAT(rules[0].reason, HasSubstr("recording rule: Sentinel evaluates alerting rules only"));
  EXPECT_FALSE(rules[0].rule);
  EXPECT_EQ(rules[1].outcome, RuleOutcome::skipped);
  EXPECT_EQ(rule(rules[2]).promql, "instance:node_cpu_utilisation:rate5m");
  EXPECT_EQ(rule(rules[2]).metric_name, "instance:node_cpu_utilisation:rate5m");
  EXPECT_EQ(rule(rules[2]).eval_interval_sec, 30);
  EXPECT_EQ(rule(rules[3]).comparison, ">=");
  EXPECT_EQ(rule(rules[3]).keep_firing_for_sec, 300);
  EXPECT_EQ(rules[3].rule_index, 3U);
}

TEST(RuleFileImport, VmalertGroupOptions) {
  auto rules = parse_ok(fixture("vmalert.yml"));
  ASSERT_EQ(rules.size(), 2U);
  EXPECT_EQ(rule(rules[0]).eval_interval_sec, 60);
  for (auto opt : {"concurrency", "params", "headers", "eval_offset", "limit"})
    EXPECT_TRUE(has_note(rules[0], std::string("group option ") + opt + " ignored")) << opt;
  EXPECT_TRUE(has_note(rules[1], "rule option update_entries_limit ignored"));
  EXPECT_EQ(rule(rules[1]).for_sec, 120);
}

// ------------------------------------------------------------ mapping details

TEST(RuleFileImport, SeverityWords) {
  for (auto [word, severity] : std::initializer_list<std::pair<std::string, std::string>>{
           {"critical", "critical"}, {"PAGE", "critical"}, {"High", "critical"}, {"error", "critical"},
           {"fatal", "critical"},    {"emergency", "critical"}, {"disaster", "critical"}, {"warning", "warning"},
           {"warn", "warning"},      {"medium", "warning"},  {"major", "warning"}, {"minor", "warning"},
           {"info", "info"},         {"low", "info"},        {"none", "info"},     {"notice", "info"},
           {"informational", "info"}, {"ticket", "warning"}, {"", "warning"}}) {
    auto rules = parse_ok("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    labels:\n      severity: \"" +
                          word + "\"\n");
    ASSERT_EQ(rules.size(), 1U);
    EXPECT_EQ(rule(rules[0]).severity, severity) << word;
    EXPECT_FALSE(rule(rules[0]).labels.contains("severity"));
    EXPECT_EQ(has_note(rules[0], "severity"), word != severity) << word;
  }
}

TEST(RuleFileImport, GroupLabelsMergeRuleLabelsWin) {
  auto rules = parse_ok(R"(groups:
  - name: g
    labels: {team: infra, severity: critical, env: prod}
    rules:
      - alert: A
        expr: up == 0
        labels: {env: staging}
)");
  ASSERT_EQ(rules.size(), 1U);
  EXPECT_EQ(rule(rules[0]).labels, (std::map<std::string, std::string>{{"env", "staging"}, {"team", "infra"}}));
  EXPECT_EQ(rule(rules[0]).severity, "critical");
  EXPECT_TRUE(has_note(rules[0], "group labels merged"));
}

TEST(RuleFileImport, ExprAsANumberAndDurations) {
  auto rules = parse_ok(R"(groups:
  - name: g
    interval: 0s
    rules:
      - {alert: Always, expr: 1, for: 1h30m, keep_firing_for: 0}
      - {alert: Never, expr: vector(1) > 2, for: 0s}
)");
  ASSERT_EQ(rules.size(), 2U);
  EXPECT_EQ(rule(rules[0]).promql, "1");
  EXPECT_FALSE(rule(rules[0]).comparison);
  EXPECT_EQ(rule(rules[0]).for_sec, 5400);
  EXPECT_EQ(rule(rules[0]).metric_name, "Always");  // no metric selected: the alert name
  EXPECT_FALSE(rule(rules[0]).eval_interval_sec);
  EXPECT_TRUE(has_note(rules[0], "group interval 0s"));
  EXPECT_EQ(rule(rules[1]).promql, "vector(1)");
}

// ------------------------------------------------------------ failed rules

MappedRule one_failed(const std::string& yaml) {
  auto rules = parse_ok(yaml);
  EXPECT_EQ(rules.size(), 1U) << yaml;
  if (rules.empty()) return {};
  EXPECT_EQ(rules[0].outcome, RuleOutcome::failed) << yaml;
  EXPECT_FALSE(rules[0].rule);
  return rules[0];
}

std::string one_rule(std::string_view body) {
  return "groups:\n  - name: g\n    rules:\n      - alert: A\n" + std::string(body);
}

TEST(RuleFileImport, BadDurationFailsTheRuleWithItsPosition) {
  auto m = one_failed(one_rule("        expr: up == 0\n        for: 5 minutes\n"));
  EXPECT_EQ(m.reason, "line 6, column 14: for: not a valid duration string: \"5 minutes\"");
  EXPECT_THAT(m.failed_fields, ElementsAre("groups", "0", "rules", "0", "for"));
  EXPECT_EQ(m.name, "A");
  EXPECT_THAT(one_failed(one_rule("        expr: up\n        for: 1500ms\n")).reason, HasSubstr("not whole seconds"));
  EXPECT_THAT(one_failed(one_rule("        expr: up\n        keep_firing_for: 2y\n")).reason,
              HasSubstr("keep_firing_for: 2y is longer than a year"));
  EXPECT_THAT(one_failed(one_rule("        expr: up\n        for: [1]\n")).reason, HasSubstr("must be a duration"));
}

TEST(RuleFileImport, TemplateSyntaxErrorFailsTheRule) {
  auto m = one_failed(one_rule(
      "        expr: up == 0\n        annotations:\n          description: \"{{ $value | humanise }}\"\n"));
  EXPECT_EQ(m.reason.substr(0, 43), "line 7, column 24: annotation description: ");
  EXPECT_THAT(m.reason, HasSubstr("line 1, column"));
  EXPECT_THAT(m.reason, HasSubstr("humanise"));
  EXPECT_THAT(m.failed_fields, ElementsAre("groups", "0", "rules", "0", "annotations", "description"));
  auto l = one_failed(one_rule("        expr: up == 0\n        labels:\n          team: \"{{ .Foo \"\n"));
  EXPECT_THAT(l.reason, HasSubstr("label team: line 1"));
  EXPECT_THAT(l.failed_fields, ElementsAre("groups", "0", "rules", "0", "labels", "team"));
}

TEST(RuleFileImport, RuleProblems) {
  EXPECT_THAT(one_failed(one_rule("        expr: up\n        severity: critical\n")).reason,
              HasSubstr("unknown rule field \"severity\""));
  EXPECT_THAT(one_failed(one_rule("        expr: up\n        expr: down\n")).reason, HasSubstr("given twice"));
  EXPECT_THAT(one_failed(one_rule("        for: 5m\n")).reason, HasSubstr("expr is required"));
  EXPECT_THAT(one_failed(one_rule("        expr: \"  \"\n")).reason, HasSubstr("expr is required"));
  EXPECT_THAT(one_failed(one_rule("        record: r\n        expr: up\n")).reason, HasSubstr("not both"));
  EXPECT_THAT(one_failed("groups:\n- name: g\n  rules:\n  - expr: up\n").reason, HasSubstr("needs alert"));
  EXPECT_THAT(one_failed("groups:\n- name: g\n  rules:\n  - up == 0\n").reason, HasSubstr("must be a mapping"));
  EXPECT_THAT(one_failed(one_rule("        expr: up{instance=$instance} == 0\n")).reason,
              HasSubstr("$instance and $job"));
  EXPECT_THAT(one_failed(one_rule("        expr: up{job=\"${job}\"} == 0\n")).reason, HasSubstr("$instance and $job"));
  EXPECT_THAT(one_failed(one_rule("        expr: up\n        labels: {alertname: x}\n")).reason,
              HasSubstr("label alertname"));
  EXPECT_THAT(one_failed(one_rule("        expr: up\n        labels: {__name__: x}\n")).reason,
              HasSubstr("label __name__"));
  EXPECT_THAT(one_failed(one_rule("        expr: up\n        labels: {\"a-b\": x}\n")).reason,
              HasSubstr("a name must match"));
  EXPECT_THAT(one_failed(one_rule("        expr: up\n        labels: {a: [x]}\n")).reason,
              HasSubstr("must be a string"));
  EXPECT_THAT(one_failed(one_rule("        expr: up\n        labels: [a]\n")).reason, HasSubstr("must be a mapping"));
  EXPECT_THAT(one_failed(one_rule("        expr: up\n        annotations: {summary: " + std::string(1001, 'x') + "}\n"))
                  .reason,
              HasSubstr("longer than 1000"));
  EXPECT_THAT(one_failed(one_rule("        expr: " + std::string(10001, 'x') + "\n")).reason,
              HasSubstr("longer than 10000"));
  EXPECT_THAT(one_failed("groups:\n- name: g\n  rules:\n  - alert: " + std::string(256, 'a') + "\n    expr: up\n").reason,
              HasSubstr("1 to 255"));
  std::string many = "        expr: up\n        labels:\n";
  for (int i = 0; i < 31; ++i) many += "          l" + std::to_string(i) + ": x\n";
  EXPECT_THAT(one_failed(one_rule(many)).reason, HasSubstr("more than 30 labels"));
  EXPECT_THAT(one_failed(one_rule("        expr: up\n        annotations:\n          a: x\xff\n")).reason,
              HasSubstr("not valid UTF-8"));
}

TEST(RuleFileImport, OneFailedRuleLeavesTheOthersMapped) {
  auto rules = parse_ok(R"(groups:
  - name: g
    rules:
      - alert: Good
        expr: up == 0
      - alert: Bad
        expr: up == 0
        for: soon
      - record: r
        expr: up
      - alert: AlsoGood
        expr: up > 1
)");
  ASSERT_EQ(rules.size(), 4U);
  EXPECT_EQ(rules[0].outcome, RuleOutcome::mapped);
  EXPECT_EQ(rules[1].outcome, RuleOutcome::failed);
  EXPECT_EQ(rules[1].rule_index, 1U);
  EXPECT_EQ(rules[2].outcome, RuleOutcome::skipped);
  EXPECT_EQ(rules[3].outcome, RuleOutcome::mapped);
}

TEST(RuleFileImport, GroupIntervalSentinelCannotEvaluateFailsItsRules) {
  auto rules = parse_ok(R"(groups:
  - name: slow
    interval: 2d
    rules:
      - {alert: A, expr: up == 0}
  - name: fast
    interval: 500ms
    rules:
      - {alert: B, expr: up == 0}
  - name: fine
    interval: 1d
    rules:
      - {alert: C, expr: up == 0}
      - {record: r, expr: up}
)");
  ASSERT_EQ(rules.size(), 4U);
  EXPECT_EQ(rules[0].outcome, RuleOutcome::failed);
  EXPECT_THAT(rules[0].reason, HasSubstr("line 3, column 15: group interval 2d"));
  EXPECT_THAT(rules[0].failed_fields, ElementsAre("groups", "0", "interval"));
  EXPECT_EQ(rules[1].outcome, RuleOutcome::failed);
  EXPECT_EQ(rule(rules[2]).eval_interval_sec, 86400);
  EXPECT_EQ(rules[3].outcome, RuleOutcome::skipped);
}

// ------------------------------------------------------------ whole-file errors

TEST(RuleFileImport, MalformedYamlHasAPosition) {
  auto errors = parse_bad("groups:\n  - name: g\n    rules: [\n      - alert: A\n");
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_GT(errors[0].position.line, 1);
  EXPECT_THAT(errors[0].message, HasSubstr("YAML"));
  EXPECT_THAT(describe(errors[0]), HasSubstr("line "));
  auto value = parse_bad("groups:\n  - name: g\n    rules: x: y\n");
  ASSERT_EQ(value.size(), 1U);
  EXPECT_EQ(value[0].position.line, 3);
}

TEST(RuleFileImport, TabsAreNotIndentation) {
  auto errors = parse_bad("groups:\n\t- name: g\n\t  rules: []\n");
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].position.line, 2);
  // A tab inside a value is just a character.
  auto rules = parse_ok("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: \"up\t== 0\"\n");
  ASSERT_EQ(rules.size(), 1U);
  EXPECT_EQ(rule(rules[0]).promql, "up");
}

TEST(RuleFileImport, FileStructureErrors) {
  auto message = [](std::string_view yaml) {
    std::string all;
    for (const auto& e : parse_bad(yaml)) all += describe(e) + "\n";
    return all;
  };
  EXPECT_THAT(message(""), HasSubstr("empty"));
  EXPECT_THAT(message("- name: g\n"), HasSubstr("top level must be a mapping"));
  EXPECT_THAT(message("rules: []\n"), HasSubstr("unknown top-level field \"rules\""));
  EXPECT_THAT(message("foo: 1\n"), HasSubstr("groups is required"));
  EXPECT_THAT(message("groups: {a: 1}\n"), HasSubstr("groups must be a list"));
  EXPECT_THAT(message("groups:\n  - rules: []\n"), HasSubstr("a group needs a name"));
  EXPECT_THAT(message("groups:\n  - name: \"\"\n"), HasSubstr("non-empty"));
  EXPECT_THAT(message("groups:\n  - name: g\n    rulez: []\n"), HasSubstr("unknown group field \"rulez\""));
  EXPECT_THAT(message("groups:\n  - name: g\n    rules: {}\n"), HasSubstr("rules must be a list"));
  EXPECT_THAT(message("groups:\n  - name: g\n    interval: 1 minute\n"),
              HasSubstr("interval: not a valid duration string"));
  EXPECT_THAT(message("groups:\n  - name: g\n    type: graphite\n"), HasSubstr("only \"prometheus\""));
  EXPECT_THAT(message("groups:\n  - name: g\n    labels: [a]\n"), HasSubstr("must be a mapping"));
  EXPECT_THAT(message("groups:\n  - name: g\n    name: h\n"), HasSubstr("given twice"));
  EXPECT_THAT(message("groups: []\ngroups: []\n"), HasSubstr("given twice"));
  EXPECT_THAT(message("groups: []\n---\ngroups: []\n"), HasSubstr("more than one YAML document"));
  EXPECT_TRUE(parse_rule_file("groups: []\n").has_value());
  EXPECT_TRUE(parse_rule_file("groups:\n  - name: g\n").has_value());
}

TEST(RuleFileImport, DuplicateGroupNames) {
  auto errors = parse_bad("groups:\n  - name: g\n    rules: []\n  - name: h\n  - name: g\n    rules: []\n");
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(describe(errors[0]), "line 5, column 5: group name \"g\" is repeated in the same file (first: group 0)");
  EXPECT_THAT(errors[0].loc, ElementsAre("groups", "2", "name"));
}

TEST(RuleFileImport, AllFileErrorsAreReported) {
  auto errors = parse_bad("groups:\n  - name: a\n    bogus: 1\n  - rules: []\n");
  EXPECT_EQ(errors.size(), 2U);
}

// ------------------------------------------------------------ hostile input

TEST(RuleFileImport, TwoMegabytesIsFast) {
  std::string yaml = "groups:\n";
  for (int g = 0; yaml.size() < 2 * 1024 * 1024; ++g) {
    yaml += "  - name: group-" + std::to_string(g) + "\n    rules:\n";
    for (int i = 0; i < 10; ++i)
      yaml += "      - alert: Alert" + std::to_string(i) +
              "\n        expr: rate(node_cpu_seconds_total{mode=\"idle\"}[5m]) > 0.9\n        for: 5m\n"
              "        labels: {severity: critical}\n        annotations:\n          summary: \"{{ $labels.instance }}\"\n"
              "          description: \"CPU of {{ $labels.instance }} is at {{ $value | humanizePercentage }}, "
              "which is more than the 90% this rule allows for five minutes\"\n";
  }
  const auto start = std::chrono::steady_clock::now();
  auto r = parse_rule_file(yaml);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.has_value());
  EXPECT_GT(r->size(), 5000U);
  for (const auto& m : *r) ASSERT_EQ(m.outcome, RuleOutcome::mapped) << m.reason;
  EXPECT_LT(took, std::chrono::seconds(5));
  // One 2 MB string is fine too.
  auto big = parse_rule_file("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations:\n"
                             "          description: \"" + std::string(2 * 1024 * 1024, 'x') + "\"\n");
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ((*big)[0].outcome, RuleOutcome::failed);
}

TEST(RuleFileImport, AliasesCannotMultiplyRules) {
  std::string yaml = "groups:\n  - name: g0\n    rules: &r\n";
  for (int i = 0; i < 2000; ++i) yaml += "      - {alert: A, expr: up}\n";
  for (int g = 1; g < 10; ++g) yaml += "  - name: g" + std::to_string(g) + "\n    rules: *r\n";
  auto errors = parse_bad(yaml);
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_THAT(errors[0].message, HasSubstr("more than 10000 rules"));
  // A self-referencing alias is only a rule that is not a mapping.
  auto rules = parse_ok("groups:\n  - name: g\n    rules: &r [*r]\n");
  ASSERT_EQ(rules.size(), 1U);
  EXPECT_EQ(rules[0].outcome, RuleOutcome::failed);
}

struct Deep {
  std::string yaml;
  bool failed = false;
};

void* parse_deep(void* arg) {
  auto* d = static_cast<Deep*>(arg);
  d->failed = !parse_rule_file(d->yaml).has_value();
  return nullptr;
}

// yaml-cpp's parser recurses per nesting level; its DepthGuard and limits
// must stop hostile nesting quickly and without a crash, on a small stack too.
TEST(RuleFileImport, DeepNestingIsAnErrorNotACrash) {
  for (std::string yaml : {std::string(100000, '['), std::string(100000, '{'),
                           "groups: " + std::string(100000, '[') + std::string(100000, ']') + "\n",
                           "groups:\n" + [] {
                             std::string s;
                             for (int i = 0; i < 50000; ++i) s += "- ";
                             return s + "x\n";
                           }(),
                           [] {
                             std::string s;
                             for (int i = 0; i < 3000; ++i) s += std::string(static_cast<std::size_t>(i), ' ') + "a:\n";
                             return s;
                           }()}) {
    Deep d{yaml};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_t thread;
    ASSERT_EQ(pthread_create(&thread, &attr, parse_deep, &d), 0);
    pthread_join(thread, nullptr);
    pthread_attr_destroy(&attr);
    EXPECT_TRUE(d.failed) << yaml.substr(0, 40);
  }
}

}  // namespace
}  // namespace sentinel::prometheus
