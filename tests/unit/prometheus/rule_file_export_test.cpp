#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "prometheus/rule_file_export.hpp"
#include "prometheus/rule_file_import.hpp"

#ifndef SENTINEL_RULE_FIXTURES
#error "SENTINEL_RULE_FIXTURES must name tests/fixtures/rule_files"
#endif

namespace sentinel::prometheus {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::optional<std::string> promql_of(const domain::AlertRule& r) { return r.promql; }

domain::AlertRule make(std::int64_t id, std::string name, std::string promql, std::optional<std::string> cmp,
                       std::optional<double> threshold) {
  domain::AlertRule r;
  r.id = id;
  r.name = std::move(name);
  r.promql = std::move(promql);
  r.metric_name = "m";
  r.comparison = std::move(cmp);
  r.threshold = threshold;
  return r;
}

// What the lead does with an import: rules made from the mapped creates, the
// fields a rule file carries copied, ids in file order.
std::vector<domain::AlertRule> reimport(const std::string& yaml) {
  auto parsed = parse_rule_file(yaml);
  if (!parsed) {
    for (const auto& e : parsed.error()) ADD_FAILURE() << describe(e) << "\n" << yaml;
    return {};
  }
  std::vector<domain::AlertRule> out;
  for (const auto& m : *parsed) {
    if (m.outcome != RuleOutcome::mapped) {
      ADD_FAILURE() << m.name << ": " << m.reason << "\n" << yaml;
      continue;
    }
    const auto& c = *m.rule;
    domain::AlertRule r;
    r.id = static_cast<std::int64_t>(out.size()) + 1;
    r.rule_group = c.rule_group;
    r.name = c.name;
    r.promql = c.promql;
    r.threshold = c.threshold;
    r.comparison = c.comparison;
    r.for_sec = c.for_sec;
    r.keep_firing_for_sec = c.keep_firing_for_sec;
    r.severity = c.severity;
    r.labels = c.labels;
    r.annotations = c.annotations;
    r.summary = c.summary;
    r.description = c.description;
    r.eval_interval_sec = c.eval_interval_sec;
    r.metric_name = c.metric_name;
    out.push_back(std::move(r));
  }
  return out;
}

#ifdef SENTINEL_PROMTOOL
// Prometheus's own checker on what export wrote.
void expect_promtool_accepts(const std::string& yaml, const std::string& name) {
  const std::string path = ::testing::TempDir() + "sentinel_export_" + name + ".yml";
  std::ofstream(path) << yaml;
  const std::string report = path + ".out";
  const std::string cmd = std::string("'") + SENTINEL_PROMTOOL + "' check rules '" + path + "' > '" + report + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream in(report);
  std::stringstream out;
  out << in.rdbuf();
  EXPECT_EQ(rc, 0) << out.str() << "\n" << yaml;
  std::remove(path.c_str());
  std::remove(report.c_str());
}
#else
void expect_promtool_accepts(const std::string&, const std::string&) {}
#endif

std::vector<domain::AlertRule> tricky_rules() {
  std::vector<domain::AlertRule> rules;
  auto cpu = make(1, "HostHighCpuLoad",
                  R"(100 - (avg by(instance) (rate(node_cpu_seconds_total{mode="idle"}[2m])) * 100))", ">", 80);
  cpu.for_sec = 600;
  cpu.severity = "critical";
  cpu.summary = "Host high CPU load (instance {{ $labels.instance }})";
  cpu.description = "CPU load is > 80%\n  VALUE = {{ $value }}\n  LABELS = {{ $labels }}";
  cpu.labels = {{"team", "infra"}, {"zone", "true"}, {"code", "404"}};
  cpu.annotations = {{"runbook_url", "https://example.com/r#cpu"}, {"dashboard", "a: b # not a comment"}};
  rules.push_back(cpu);
  rules.push_back(make(2, "Disk and readonly",
                       "(node_filesystem_avail_bytes * 100) / node_filesystem_size_bytes < 10 and ON (instance, "
                       "device, mountpoint) node_filesystem_readonly == 0",
                       std::nullopt, std::nullopt));
  rules.push_back(make(3, "Either", "a > 1 or b > 2", ">", 0.1));
  rules.push_back(make(4, "Bool", "up == bool 0", std::nullopt, std::nullopt));
  rules.push_back(make(5, "BoolCondition", "up == bool 0", "==", 1));
  auto strings = make(6, "Strings \"quoted\" # hash", R"(up{job="a \"b\" #c", x='y'} )", "<", 1e-9);
  strings.summary = "line one\nline two";
  strings.description = "ends with a newline\n";
  strings.annotations = {{"quote", "'single' and \"double\""}, {"blank", ""}, {"lead", " leading space\nx"}};
  rules.push_back(strings);
  auto unicode = make(7, "Диск заполнен ✓", "node_filesystem_avail_bytes", "<=", -5);
  unicode.rule_group = "team: storage (prod)";
  unicode.summary = "Место на {{ $labels.instance }} кончается";
  rules.push_back(unicode);
  auto multi = make(8, "Multi", "sum(rate(a[5m]))\n/\nsum(rate(b[5m]))", ">=", 1e6);
  multi.rule_group = "team: storage (prod)";
  multi.keep_firing_for_sec = 300;
  multi.for_sec = 5400;
  rules.push_back(multi);
  rules.push_back(make(9, "Empty labels", "absent(up{job=\"node\"})", std::nullopt, std::nullopt));
  rules.push_back(make(10, "Comment", "rate(x[5m]) # trailing comment", ">", 3));
  rules.push_back(make(11, "Wrapped", "(a + b)", ">", 3));
  rules.push_back(make(12, "EverySeriesWithComparison", "(x) > 5", std::nullopt, std::nullopt));
  rules.push_back(make(13, "Flipped", "90 < x", std::nullopt, std::nullopt));
  auto fast = make(14, "Fast", "up", "==", 0);
  fast.eval_interval_sec = 30;
  rules.push_back(fast);
  auto fast2 = make(15, "Fast2", "up", "==", 0);
  fast2.eval_interval_sec = 30;
  fast2.severity = "info";
  rules.push_back(fast2);
  auto slow = make(16, "Slow", "up", "==", 0);
  slow.eval_interval_sec = 3600;
  slow.rule_group = "team: storage (prod)";
  rules.push_back(slow);
  rules.push_back(make(17, "Negative zero", "x", ">", -0.0));
  rules.push_back(make(18, "Offset", "x offset 5m", ">", 3));
  rules.push_back(make(19, "Same name", "x", ">", 80));
  rules.push_back(make(20, "Same name", "x", ">", 90));
  auto yes = make(21, "yes", "on", std::nullopt, std::nullopt);  // a metric named `on` is not PromQL, but YAML must hold it
  yes.rule_group = "null";
  rules.push_back(yes);
  return rules;
}

TEST(RuleFileExport, RoundTripIsByteIdentical) {
  const auto rules = tricky_rules();
  const std::string first = export_rule_file(rules, promql_of);
  const auto again = reimport(first);
  ASSERT_EQ(again.size(), rules.size()) << first;
  const std::string second = export_rule_file(again, promql_of);
  EXPECT_EQ(first, second);
  // And a third time, from the re-imported rules' own export.
  EXPECT_EQ(export_rule_file(reimport(second), promql_of), second);
}

TEST(RuleFileExport, Layout) {
  std::vector<domain::AlertRule> rules;
  auto cpu = make(1, "HostHighCpuLoad", "rate(x[5m]) * 100", ">", 90);
  cpu.for_sec = 300;
  cpu.severity = "critical";
  cpu.labels = {{"team", "infra"}};
  cpu.summary = "CPU {{ $value }}";
  rules.push_back(cpu);
  auto down = make(2, "HostDown", "up", "==", 0);
  down.keep_firing_for_sec = 120;
  rules.push_back(down);
  EXPECT_EQ(export_rule_file(rules, promql_of), R"(# Alerting rules exported by Sentinel.
groups:
  - name: sentinel
    rules:
      - alert: HostHighCpuLoad
        expr: (rate(x[5m]) * 100) > 90
        for: 5m
        labels:
          severity: critical
          team: infra
        annotations:
          summary: CPU {{ $value }}
      - alert: HostDown
        expr: up == 0
        keep_firing_for: 2m
        labels:
          severity: warning
)");
}

TEST(RuleFileExport, GroupsSplitByIntervalDeterministically) {
  std::vector<domain::AlertRule> rules;
  for (std::int64_t id : {5, 1, 3, 2, 4}) {
    auto r = make(id, "R" + std::to_string(id), "up", "==", 0);
    r.eval_interval_sec = id == 2 || id == 4 ? std::optional<std::int64_t>(30) : std::nullopt;
    if (id == 5) r.eval_interval_sec = 60;
    rules.push_back(r);
  }
  const auto out = export_rule_file(rules, promql_of);
  // null is most common (1, 3): group "sentinel"; then "sentinel (30s)" (2, 4), "sentinel (1m)" (5).
  const auto a = out.find("- name: sentinel\n");
  const auto b = out.find("- name: sentinel (30s)\n    interval: 30s\n");
  const auto c = out.find("- name: sentinel (1m)\n    interval: 1m\n");
  ASSERT_NE(a, std::string::npos) << out;
  ASSERT_NE(b, std::string::npos) << out;
  ASSERT_NE(c, std::string::npos) << out;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_LT(out.find("alert: R1"), out.find("alert: R3"));
  // A tie goes to the lowest id's interval.
  std::vector<domain::AlertRule> tie = {make(1, "A", "up", "==", 0), make(2, "B", "up", "==", 0)};
  tie[0].eval_interval_sec = 60;
  const auto t = export_rule_file(tie, promql_of);
  EXPECT_THAT(t, HasSubstr("- name: sentinel\n    interval: 1m\n"));
  EXPECT_THAT(t, HasSubstr("- name: sentinel (default)\n"));
  // A generated name never collides with a real group.
  auto clash = make(3, "C", "up", "==", 0);
  clash.rule_group = "sentinel (default)";
  tie.push_back(clash);
  const auto c2 = export_rule_file(tie, promql_of);
  EXPECT_THAT(c2, HasSubstr("- name: sentinel (default) (2)\n"));
  expect_promtool_accepts(c2, "clash");
}

TEST(RuleFileExport, SentinelOnlySettingsAsComments) {
  auto r = make(7, "Hysteresis", "x", ">", 90);
  r.recovery_threshold = 80;
  r.no_data_state = "alerting";
  r.is_active = false;
  r.repeat_interval_sec = 600;
  r.channel_ids = {3, 5};
  r.server_id = 12;
  const auto out = export_rule_file({r, make(8, "Plain", "x", ">", 1)}, promql_of);
  EXPECT_THAT(out, HasSubstr("      # Sentinel: server #12, recovery_threshold 80 (hysteresis), no_data_state alerting, "
                             "paused, repeat every 10m, channels #3 #5\n      - alert: Hysteresis\n"));
  EXPECT_EQ(out.find("# Sentinel:", out.find("alert: Hysteresis")), std::string::npos);
  expect_promtool_accepts(out, "comments");
}

TEST(RuleFileExport, RulesLeftOutAreNamed) {
  auto left = make(4, "Server rule\nwith newline", "up{instance=$instance}", "==", 0);
  const auto out = export_rule_file({left, make(5, "Kept", "up", "==", 0)}, [](const domain::AlertRule& r) {
    return r.id == 4 ? std::nullopt : std::optional<std::string>(r.promql);
  });
  EXPECT_THAT(out, HasSubstr("# Sentinel: rule 4 \"Server rule with newline\" left out: "));
  EXPECT_THAT(out, Not(HasSubstr("$instance")));
  expect_promtool_accepts(out, "left_out");
  const auto none = export_rule_file({left}, [](const domain::AlertRule&) { return std::nullopt; });
  EXPECT_THAT(none, HasSubstr("groups: []\n"));
  expect_promtool_accepts(none, "none");
  expect_promtool_accepts(export_rule_file({}, promql_of), "empty");
}

TEST(RuleFileExport, PromtoolAcceptsTheExport) {
  auto rules = tricky_rules();
  rules.pop_back();  // `on` as a metric name: valid YAML, but not PromQL
  expect_promtool_accepts(export_rule_file(rules, promql_of), "tricky");
}

// Each fixture imported, exported: promtool accepts it, and the export
// round-trips. SENTINEL_DUMP_EXPORTS=dir keeps the files for a look.
TEST(RuleFileExport, FixturesExportCleanly) {
  for (const char* name : {"node_exporter.yml", "blackbox.yml", "multi_window.yml", "absent_and_bool.yml",
                           "recording.yml", "vmalert.yml"}) {
    std::ifstream in(std::string(SENTINEL_RULE_FIXTURES) + "/" + name);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = parse_rule_file(text.str());
    ASSERT_TRUE(parsed) << name;
    std::vector<domain::AlertRule> rules;
    for (const auto& m : *parsed) {
      if (!m.rule) continue;
      auto r = domain::AlertRule{};
      r.id = static_cast<std::int64_t>(rules.size()) + 1;
      r.name = m.rule->name;
      r.promql = m.rule->promql;
      r.comparison = m.rule->comparison;
      r.threshold = m.rule->threshold;
      r.for_sec = m.rule->for_sec;
      r.keep_firing_for_sec = m.rule->keep_firing_for_sec;
      r.severity = m.rule->severity;
      r.labels = m.rule->labels;
      r.annotations = m.rule->annotations;
      r.summary = m.rule->summary;
      r.description = m.rule->description;
      r.rule_group = m.rule->rule_group;
      r.eval_interval_sec = m.rule->eval_interval_sec;
      rules.push_back(std::move(r));
    }
    const auto out = export_rule_file(rules, promql_of);
    expect_promtool_accepts(out, std::string("fixture_") + name);
    EXPECT_EQ(export_rule_file(reimport(out), promql_of), out) << name;
    if (const char* dir = std::getenv("SENTINEL_DUMP_EXPORTS")) std::ofstream(std::string(dir) + "/" + name) << out;
  }
  if (const char* dir = std::getenv("SENTINEL_DUMP_EXPORTS")) {
    auto rules = tricky_rules();
    std::ofstream(std::string(dir) + "/tricky.yml") << export_rule_file(rules, promql_of);
  }
}

}  // namespace
}  // namespace sentinel::prometheus
