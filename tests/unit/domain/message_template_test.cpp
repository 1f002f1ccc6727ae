#include "domain/message_template.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "core/utf8.hpp"

namespace sentinel::domain {
namespace {

using Labels = std::map<std::string, std::string>;

const Labels& node_labels() {
  static const Labels l{{"instance", "a:9100"}, {"job", "node"}, {"severity", "critical"}};
  return l;
}

// Renders `text`, which must parse, with the node labels and `value`.
std::string render(std::string_view text, std::optional<double> value = 97.5, const Labels* labels = &node_labels()) {
  const auto t = MessageTemplate::parse(text);
  if (!t) {
    ADD_FAILURE() << "parse failed: " << describe(t.error()) << "\n  template: " << text;
    return "<parse error>";
  }
  return t->render(TemplateData{labels, value});
}

// The first syntax error of `text`, which must not parse.
TemplateError parse_error(std::string_view text) {
  const auto t = MessageTemplate::parse(text);
  if (t) {
    ADD_FAILURE() << "parsed, expected an error: " << text;
    return {};
  }
  return t.error();
}

std::string with_value(std::string_view text, double v) { return render(text, v); }

// --- text, labels and value ---------------------------------------------------

TEST(MessageTemplate, CopiesTextVerbatim) {
  EXPECT_EQ(render(""), "");
  EXPECT_EQ(render("plain text, no actions: } { }} <b>&amp;"), "plain text, no actions: } { }} <b>&amp;");
  EXPECT_EQ(render("multi\nline\n"), "multi\nline\n");
  EXPECT_EQ(render("ünïcödé ✓"), "ünïcödé ✓");
}

TEST(MessageTemplate, SubstitutesLabels) {
  EXPECT_EQ(render("{{ $labels.instance }} ({{ $labels.job }})"), "a:9100 (node)");
  EXPECT_EQ(render("{{ .Labels.instance }}"), "a:9100");
  EXPECT_EQ(render("{{$labels.instance}}"), "a:9100");
  EXPECT_EQ(render("[{{ $labels.missing }}]"), "[]");  // missingkey=zero
  EXPECT_EQ(render("{{ index $labels \"job\" }}"), "node");
  EXPECT_EQ(render("[{{ index .Labels \"nope\" }}]"), "[]");
  EXPECT_EQ(render("{{ $labels }}"), "map[instance:a:9100 job:node severity:critical]");
  EXPECT_EQ(render("{{ .Labels }}"), "map[instance:a:9100 job:node severity:critical]");
  EXPECT_EQ(render("{{ $labels }}", 1.0, nullptr), "map[]");
  EXPECT_EQ(render("[{{ $labels.instance }}]", 1.0, nullptr), "[]");
  EXPECT_EQ(render("{{ $.Labels.job }}"), "node");
}

TEST(MessageTemplate, PrintsValueLikeGoPercentV) {
  EXPECT_EQ(with_value("{{ $value }}", 97.5), "97.5");
  EXPECT_EQ(with_value("{{ .Value }}", 97.5), "97.5");
  EXPECT_EQ(with_value("{{ $value }}", 1e6), "1e+06");
  EXPECT_EQ(with_value("{{ $value }}", 999999), "999999");
  EXPECT_EQ(with_value("{{ $value }}", 1234567), "1.234567e+06");
  EXPECT_EQ(with_value("{{ $value }}", 0.1), "0.1");
  EXPECT_EQ(with_value("{{ $value }}", 0.0001), "0.0001");
  EXPECT_EQ(with_value("{{ $value }}", 0.00001), "1e-05");
  EXPECT_EQ(with_value("{{ $value }}", 100), "100");
  EXPECT_EQ(with_value("{{ $value }}", 0), "0");
  EXPECT_EQ(with_value("{{ $value }}", -2.5), "-2.5");
  EXPECT_EQ(with_value("{{ $value }}", 1e21), "1e+21");
  EXPECT_EQ(with_value("{{ $value }}", 608863452348.1149), "6.088634523481149e+11");
  EXPECT_EQ(with_value("{{ $value }}", std::nan("")), "NaN");
  EXPECT_EQ(with_value("{{ $value }}", std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(with_value("{{ $value }}", -std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(MessageTemplate, AbsentValueRendersEmpty) {
  EXPECT_EQ(render("[{{ $value }}]", std::nullopt), "[]");
  EXPECT_EQ(render("[{{ .Value }}]", std::nullopt), "[]");
  EXPECT_EQ(render("[{{ $value | humanize }}]", std::nullopt), "[]");
  EXPECT_EQ(render("[{{ printf \"%.2f\" $value }}]", std::nullopt), "[]");
  EXPECT_EQ(render("{{ if $value }}data{{ else }}no data{{ end }}", std::nullopt), "no data");
  EXPECT_EQ(render("{{ if gt $value 90.0 }}high{{ else }}not high{{ end }}", std::nullopt), "not high");
}

TEST(MessageTemplate, ExternalLabelsAndUrlAreEmpty) {
  EXPECT_EQ(render("{{ $externalLabels }}|{{ .ExternalLabels }}|{{ $externalURL }}|{{ .ExternalURL }}|"),
            "map[]|map[]|||");
  EXPECT_EQ(render("[{{ $externalLabels.cluster }}][{{ externalURL }}][{{ pathPrefix }}]"), "[][][]");
}

TEST(MessageTemplate, Literals) {
  EXPECT_EQ(render("{{ \"a\\tb\\n\\x41\\u00e9\\101\\\"\" }}"), "a\tb\nA\xC3\xA9" "A\"");
  EXPECT_EQ(render("{{ `raw \\n {{ }}` }}"), "raw \\n {{ }}");
  EXPECT_EQ(render("{{ 42 }} {{ -7 }} {{ 1.5 }} {{ 1e3 }} {{ 0x1F }} {{ 010 }} {{ 1_000 }}"), "42 -7 1.5 1000 31 8 1000");
  EXPECT_EQ(render("{{ 'a' }} {{ true }} {{ false }}"), "97 true false");
  EXPECT_EQ(render("{{ (\"x\") }}{{ ((3)) }}"), "x3");
}

// --- humanize functions: Prometheus's template_test.go values ------------------

TEST(MessageTemplate, Humanize) {
  const Labels numbers{{"a", "0"}, {"b", "1"}, {"c", "1234567"}, {"d", ".12"}};
  EXPECT_EQ(render("{{ range $labels }}{{ humanize . }}:{{ end }}", 1, &numbers), "0:1:1.235M:120m:");
  EXPECT_EQ(with_value("{{ humanize $value }}", 1234567), "1.235M");
  EXPECT_EQ(with_value("{{ $value | humanize }}", 1234567), "1.235M");
  EXPECT_EQ(with_value("{{ humanize $value }}", 12345678), "12.35M");
  EXPECT_EQ(with_value("{{ humanize $value }}", 999), "999");
  EXPECT_EQ(with_value("{{ humanize $value }}", 1000), "1k");
  EXPECT_EQ(with_value("{{ humanize $value }}", -1500), "-1.5k");
  EXPECT_EQ(with_value("{{ humanize $value }}", 0.0001234), "123.4u");
  EXPECT_EQ(with_value("{{ humanize $value }}", 1e27), "1000Y");
  EXPECT_EQ(with_value("{{ humanize $value }}", 1e28), "1e+04Y");
  EXPECT_EQ(with_value("{{ humanize $value }}", std::nan("")), "NaN");
  EXPECT_EQ(with_value("{{ humanize $value }}", std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(render("{{ humanize 1234 }} {{ humanize \"2048\" }} {{ \"1e9\" | humanize }}"), "1.234k 2.048k 1G");
}

TEST(MessageTemplate, Humanize1024) {
  EXPECT_EQ(with_value("{{ humanize1024 $value }}", 0), "0");
  EXPECT_EQ(with_value("{{ humanize1024 $value }}", 1), "1");
  EXPECT_EQ(with_value("{{ humanize1024 $value }}", 1048576), "1Mi");
  EXPECT_EQ(with_value("{{ humanize1024 $value }}", 0.12), "0.12");
  EXPECT_EQ(with_value("{{ humanize1024 $value }}", 1536), "1.5ki");
  EXPECT_EQ(with_value("{{ humanize1024 $value }}", 5.5e12), "5.002Ti");
}

TEST(MessageTemplate, HumanizeDuration) {
  const std::pair<double, const char*> cases[] = {
      {0, "0s"},
      {1, "1s"},
      {60, "1m 0s"},
      {3600, "1h 0m 0s"},
      {86400, "1d 0h 0m 0s"},
      {86400 + 3600, "1d 1h 0m 0s"},
      {-(86400 * 2 + 3600 * 3 + 60 * 4 + 5), "-2d 3h 4m 5s"},
      {899.99, "14m 59s"},
      {3661, "1h 1m 1s"},
      {0.5, "500ms"},
      {0.1, "100ms"},
      {0.0001, "100us"},
      {0.12345, "123.5ms"},
      {60.1, "1m 0s"},
      {60.5, "1m 0s"},
      {1.2345, "1.234s"},
      {12.345, "12.35s"},
      {-0.5, "-500ms"},
  };
  for (const auto& [v, want] : cases) {
    SCOPED_TRACE(v);
    EXPECT_EQ(with_value("{{ humanizeDuration $value }}", v), want);
  }
  EXPECT_EQ(with_value("{{ humanizeDuration $value }}", std::nan("")), "NaN");
  EXPECT_EQ(with_value("{{ humanizeDuration $value }}", 1e300), "106751991167300d 15h 30m 7s");  // saturated, no UB
}

TEST(MessageTemplate, HumanizePercentage) {
  EXPECT_EQ(with_value("{{ humanizePercentage $value }}", 0.1234), "12.34%");
  EXPECT_EQ(with_value("{{ humanizePercentage $value }}", 0), "0%");
  EXPECT_EQ(with_value("{{ humanizePercentage $value }}", 0.1), "10%");
  EXPECT_EQ(with_value("{{ humanizePercentage $value }}", 0.1234567), "12.35%");
  EXPECT_EQ(with_value("{{ humanizePercentage $value }}", 1), "100%");
  EXPECT_EQ(with_value("{{ humanizePercentage $value }}", 1.5), "150%");
  EXPECT_EQ(with_value("{{ $value | humanizePercentage }}", 0.0001), "0.01%");
}

TEST(MessageTemplate, HumanizeTimestamp) {
  EXPECT_EQ(with_value("{{ humanizeTimestamp $value }}", 1435065584.128), "2015-06-23 13:19:44.128 +0000 UTC");
  EXPECT_EQ(with_value("{{ humanizeTimestamp $value }}", 0), "1970-01-01 00:00:00 +0000 UTC");
  EXPECT_EQ(with_value("{{ humanizeTimestamp $value }}", 1.5), "1970-01-01 00:00:01.5 +0000 UTC");
  EXPECT_EQ(with_value("{{ humanizeTimestamp $value }}", -1), "1969-12-31 23:59:59 +0000 UTC");
  EXPECT_EQ(with_value("{{ humanizeTimestamp $value }}", 951782400), "2000-02-29 00:00:00 +0000 UTC");
  EXPECT_EQ(with_value("{{ humanizeTimestamp $value }}", std::nan("")), "NaN");
  EXPECT_EQ(with_value("{{ humanizeTimestamp $value }}", 1e300),
            "<error expanding template: line 1, column 4: error calling humanizeTimestamp: 1e+300 cannot be "
            "represented as a nanoseconds timestamp since it overflows int64>");
}

TEST(MessageTemplate, HumanizeOfNonNumberIsAnExecutionError) {
  EXPECT_EQ(render("Disk {{ $labels.job | humanize }}"),
            "<error expanding template: line 1, column 23: error calling humanize: strconv.ParseFloat: parsing "
            "\"node\": invalid syntax>");
  EXPECT_EQ(render("{{ humanize \"--5\" }}"),
            "<error expanding template: line 1, column 4: error calling humanize: strconv.ParseFloat: parsing "
            "\"--5\": invalid syntax>");
  EXPECT_EQ(render("{{ humanize \"1e999\" }}"),
            "<error expanding template: line 1, column 4: error calling humanize: strconv.ParseFloat: parsing "
            "\"1e999\": value out of range>");
  EXPECT_EQ(render("{{ humanize \"-Inf\" }} {{ humanize \"+.5\" }}"), "-Inf 500m");
  EXPECT_EQ(render("{{ humanize true }}"),
            "<error expanding template: line 1, column 4: error calling humanize: can't convert bool to float>");
}

// --- printf -----------------------------------------------------------------------

TEST(MessageTemplate, PrintfVerbs) {
  EXPECT_EQ(with_value("{{ printf \"%.2f\" $value }}", 97.5), "97.50");
  EXPECT_EQ(with_value("{{ printf \"%f\" $value }}", 97.5), "97.500000");
  EXPECT_EQ(with_value("{{ printf \"%.0f\" $value }}", 2.5), "2");  // round half to even, as Go
  EXPECT_EQ(with_value("{{ printf \"%v|%s\" $value \"x\" }}", 97.5), "97.5|x");
  EXPECT_EQ(with_value("{{ printf \"%g %e %E\" $value $value $value }}", 1234.5), "1234.5 1.234500e+03 1.234500E+03");
  EXPECT_EQ(with_value("{{ printf \"%g\" $value }}", 1e6), "1e+06");
  EXPECT_EQ(with_value("{{ printf \"%.3g\" $value }}", 1234.5), "1.23e+03");
  EXPECT_EQ(render("{{ printf \"%d|%5d|%-5d|%05d|%+d|%x|%X|%#x|%o|%b|%c|%q|%U\" 42 42 42 -42 42 255 255 255 8 5 65 65 65 }}"),
            "42|   42|42   |-0042|+42|ff|FF|0xff|10|101|A|'A'|U+0041");
  EXPECT_EQ(render("{{ printf \"%s|%10s|%-10s|%.2s|%q|%x\" \"abc\" \"abc\" \"abc\" \"abc\" \"a\\nb\" \"hi\" }}"),
            "abc|       abc|abc       |ab|\"a\\nb\"|6869");
  EXPECT_EQ(render("{{ printf \"%8.3f|%-8.2f|%08.2f|%+.1f\" 3.14159 2.5 -2.5 2.0 }}"), "   3.142|2.50    |-0002.50|+2.0");
  EXPECT_EQ(render("{{ printf \"%t %v\" true false }}"), "true false");
  EXPECT_EQ(render("{{ printf \"100%%\" }}"), "100%");
  EXPECT_EQ(render("{{ printf \"%v\" $labels }}"), "map[instance:a:9100 job:node severity:critical]");
  EXPECT_EQ(render("{{ printf \"%s on %s\" $labels.job $labels.instance }}"), "node on a:9100");
  EXPECT_EQ(render("{{ printf \"%*d|%-*d|%.*f\" 5 42 4 7 2 3.14159 }}"), "   42|7   |3.14");
  EXPECT_EQ(render("{{ printf \"%[2]s %[1]s\" \"a\" \"b\" }}"), "b a");
  EXPECT_EQ(render("{{ printf \"é%5sé\" \"ü\" }}"), "é    üé");  // width counts characters
}

TEST(MessageTemplate, PrintfMismatchesRenderLikeGo) {
  EXPECT_EQ(with_value("{{ printf \"%d\" $value }}", 97.5), "%!d(float64=97.5)");
  EXPECT_EQ(render("{{ printf \"%d %s\" 1 }}"), "1 %!s(MISSING)");
  EXPECT_EQ(render("{{ printf \"%d\" }}"), "%!d(MISSING)");
  EXPECT_EQ(render("{{ printf \"%s\" \"a\" \"b\" 3 }}"), "a%!(EXTRA string=b, int=3)");
  EXPECT_EQ(render("{{ printf \"%s\" 3 }}"), "%!s(int=3)");
  EXPECT_EQ(render("{{ printf \"%d\" \"x\" }}"), "%!d(string=x)");
  EXPECT_EQ(render("{{ printf \"%z\" 1.5 }}"), "%!z(float64=1.5)");
  EXPECT_EQ(render("{{ printf \"%f\" true }}"), "%!f(bool=true)");
  EXPECT_EQ(render("{{ printf \"abc%\" }}"), "abc%!(NOVERB)");
  EXPECT_EQ(render("{{ printf \"%[3]d\" 1 }}"), "%!d(BADINDEX)");
  EXPECT_EQ(render("{{ printf \"%*d\" \"x\" 1 }}"), "%!(BADWIDTH)1");
}

TEST(MessageTemplate, PrintfWidthAndPrecisionAreClamped) {
  EXPECT_EQ(render("{{ printf \"%999999999d\" 1 }}").size(), 256U);
  EXPECT_EQ(render("{{ printf \"%.999999f\" 1.0 }}").size(), 2U + 256U);
  EXPECT_EQ(render("{{ printf \"%*d\" 100000000 1 }}"), "%!(BADWIDTH)1");
  EXPECT_EQ(render("{{ printf \"%.300e\" 1e308 }}").size(), 2U + 256U + 5U);
  EXPECT_EQ(render("{{ printf \"%.300f\" 1e308 }}").size(), 309U + 1U + 256U);
}

// --- strings, index, len, comparisons ------------------------------------------

TEST(MessageTemplate, StringFunctions) {
  EXPECT_EQ(render("{{ toUpper $labels.job }} {{ $labels.severity | toUpper }}"), "NODE CRITICAL");
  EXPECT_EQ(render("{{ toLower \"MiXeD ÄÖÜ ΣΑΣ ПРИВЕТ\" }}"), "mixed äöü σασ привет");
  EXPECT_EQ(render("{{ toUpper \"straße über αβγ ёж\" }}"), "STRAßE ÜBER ΑΒΓ ЁЖ");
  EXPECT_EQ(render("{{ title \"disk full on host-1.example_x\" }}"), "Disk Full On Host-1.Example_x");
  EXPECT_EQ(render("{{ stripPort $labels.instance }}|{{ stripPort \"[::1]:9090\" }}|{{ stripPort \"host\" }}"),
            "a|::1|host");
  EXPECT_EQ(render("{{ safeHtml \"<b>\" }}"), "<b>");
  EXPECT_EQ(render("{{ len $labels }} {{ len $labels.job }} {{ len \"\" }}"), "3 4 0");
  EXPECT_EQ(render("{{ index \"abc\" 1 }}"), "98");
  EXPECT_EQ(render("{{ print \"a\" 1 2 \"b\" }}|{{ println 1 \"x\" }}"), "a1 2b|1 x\n");
}

TEST(MessageTemplate, Comparisons) {
  EXPECT_EQ(with_value("{{ if gt $value 90.0 }}high{{ else }}ok{{ end }}", 97.5), "high");
  EXPECT_EQ(with_value("{{ if gt $value 90.0 }}high{{ else }}ok{{ end }}", 50), "ok");
  EXPECT_EQ(with_value("{{ if gt $value 90 }}high{{ end }}", 97.5), "high");  // Go would fail: int vs float
  EXPECT_EQ(render("{{ eq 1 1 }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ ge 1 2 }} {{ gt 2.5 2 }}"),
            "true true true true false true");
  EXPECT_EQ(render("{{ eq $labels.job \"node\" }} {{ eq $labels.job \"x\" \"y\" \"node\" }} {{ lt \"a\" \"b\" }}"),
            "true true true");
  EXPECT_EQ(render("{{ eq true true }} {{ ne true false }}"), "true true");
  EXPECT_EQ(with_value("{{ lt $value 1.0 }} {{ eq $value $value }}", std::nan("")), "false false");
  EXPECT_EQ(render("{{ eq $labels.job 1 }}"),
            "<error expanding template: line 1, column 4: error calling eq: incompatible types for comparison>");
  EXPECT_EQ(render("{{ lt true false }}"),
            "<error expanding template: line 1, column 4: error calling lt: invalid type for comparison>");
}

TEST(MessageTemplate, Logic) {
  EXPECT_EQ(render("{{ and 1 0 }} {{ and 1 2 }} {{ or 0 \"\" }} {{ or 0 \"x\" }} {{ not 0 }} {{ not $labels }}"),
            "0 2  x true false");
  // and/or stop at the first deciding operand: the humanize call is never made.
  EXPECT_EQ(render("{{ if and $labels.missing (humanize $labels.missing) }}x{{ else }}y{{ end }}"), "y");
  EXPECT_EQ(render("{{ if or $labels.job (humanize $labels.job) }}x{{ end }}"), "x");
}

// --- pipelines and control -------------------------------------------------------

TEST(MessageTemplate, Pipelines) {
  EXPECT_EQ(with_value("{{ $value | printf \"%.1f\" }}", 97.55), "97.5");
  EXPECT_EQ(render("{{ $labels.job | toUpper | printf \"[%s]\" }}"), "[NODE]");
  EXPECT_EQ(render("{{ printf \"%s/%s\" (toUpper $labels.job) ($labels.instance | stripPort) }}"), "NODE/a");
  EXPECT_EQ(render("{{ (index $labels \"job\") | len }}"), "4");
  EXPECT_EQ(render("{{ ($labels).job }}"), "node");
}

TEST(MessageTemplate, IfElse) {
  const char* t =
      "{{ if eq $labels.severity \"critical\" }}CRIT{{ else if eq $labels.severity \"warning\" }}WARN{{ else }}INFO{{ "
      "end }}";
  EXPECT_EQ(render(t), "CRIT");
  const Labels warning{{"severity", "warning"}};
  const Labels info{{"severity", "info"}};
  EXPECT_EQ(render(t, 1, &warning), "WARN");
  EXPECT_EQ(render(t, 1, &info), "INFO");
  EXPECT_EQ(render("{{ if $labels.missing }}yes{{ end }}|{{ if $labels.job }}yes{{ end }}"), "|yes");
  EXPECT_EQ(render("{{ if 0 }}a{{ else if \"\" }}b{{ else if 0.0 }}c{{ end }}."), ".");
}

TEST(MessageTemplate, WithSetsDot) {
  EXPECT_EQ(render("{{ with $labels.job }}job={{ . }}{{ end }}"), "job=node");
  EXPECT_EQ(render("{{ with $labels.missing }}job={{ . }}{{ else }}no job{{ end }}"), "no job");
  EXPECT_EQ(render("{{ with $labels.missing }}a{{ else with $labels.job }}{{ . }}{{ end }}"), "node");
  EXPECT_EQ(render("{{ with .Labels }}{{ .instance }}{{ end }}"), "a:9100");
}

TEST(MessageTemplate, RangeOverLabels) {
  EXPECT_EQ(render("{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}"),
            "instance=a:9100;job=node;severity=critical;");
  EXPECT_EQ(render("{{ range $labels }}<{{ . }}>{{ end }}"), "<a:9100><node><critical>");
  EXPECT_EQ(render("{{ range $v := .Labels }}{{ $v }},{{ end }}"), "a:9100,node,critical,");
  EXPECT_EQ(render("{{ range $externalLabels }}x{{ else }}none{{ end }}"), "none");
  EXPECT_EQ(render("{{ range $k, $v := $labels }}{{ if eq $k \"job\" }}{{ break }}{{ end }}{{ $k }};{{ end }}"),
            "instance;");
  EXPECT_EQ(render("{{ range $k, $v := $labels }}{{ if eq $k \"job\" }}{{ continue }}{{ end }}{{ $k }};{{ end }}"),
            "instance;severity;");
  EXPECT_EQ(render("{{ range $labels.job }}x{{ end }}"),
            "<error expanding template: line 1, column 10: range can't iterate over node (Sentinel ranges over label "
            "maps only)>");
}

TEST(MessageTemplate, Variables) {
  EXPECT_EQ(render("{{ $x := $labels.job }}{{ $x }}-{{ $x = \"y\" }}{{ $x }}"), "node-y");
  EXPECT_EQ(render("{{ $v := humanize 2048 }}{{ $v }}"), "2.048k");
  EXPECT_EQ(render("{{ if true }}{{ $x := 1 }}{{ $x }}{{ end }}"), "1");
  EXPECT_EQ(render("{{ with $j := $labels.job }}{{ $j }}{{ . }}{{ end }}"), "nodenode");
}

TEST(MessageTemplate, TrimMarkersAndComments) {
  EXPECT_EQ(render("a  \n\t {{- $labels.job -}} \n  b"), "anodeb");
  EXPECT_EQ(render("a {{- $labels.job }} b"), "anode b");
  EXPECT_EQ(render("a {{ $labels.job -}} b"), "a nodeb");
  EXPECT_EQ(render("{{ if true -}}\n  yes\n{{- end }}"), "yes");
  EXPECT_EQ(render("x{{/* a comment\n with {{ braces }} */}}y"), "xy");
  EXPECT_EQ(render("x  {{- /* trimmed */ -}}  y"), "xy");
  EXPECT_EQ(render("{{ -3 }}"), "-3");  // a minus sign, not a trim marker
  EXPECT_EQ(render("Value {{ $value }} on {{ $labels.instance }}\n  {{- /* detail */}}"), "Value 97.5 on a:9100");
}

TEST(MessageTemplate, PrometheusStyleAnnotations) {
  EXPECT_EQ(with_value("Instance {{ $labels.instance }} has been down for more than 5 minutes (job {{ $labels.job }}).",
                       0),
            "Instance a:9100 has been down for more than 5 minutes (job node).");
  EXPECT_EQ(with_value("CPU usage is {{ $value | humanizePercentage }} on {{ $labels.instance }}", 0.9512),
            "CPU usage is 95.12% on a:9100");
  EXPECT_EQ(with_value("{{ printf \"%.2f\" $value }}% disk used\n  VALUE = {{ $value }}\n  LABELS = {{ $labels }}",
                       91.234),
            "91.23% disk used\n  VALUE = 91.234\n  LABELS = map[instance:a:9100 job:node severity:critical]");
}

// --- syntax errors ------------------------------------------------------------------

TEST(MessageTemplate, SyntaxErrorsCarryLineAndColumn) {
  TemplateError e = parse_error("Hello {{ $labels.job ");
  EXPECT_EQ(e.message, "unclosed action");
  EXPECT_EQ(e.line, 1U);
  EXPECT_EQ(e.column, 7U);
  EXPECT_EQ(e.offset, 6U);

  e = parse_error("line one\nsum: {{ query \"up\" | first }}");
  EXPECT_EQ(describe(e), "line 2, column 9: function \"query\" is not supported by Sentinel");

  e = parse_error("ä\nxy {{ humanise $value }}");
  EXPECT_EQ(describe(e), "line 2, column 7: unknown function \"humanise\"");

  e = parse_error("ü {{ $nope }}");
  EXPECT_EQ(describe(e), "line 1, column 6: undefined variable \"$nope\"");
}

TEST(MessageTemplate, SyntaxErrorMessages) {
  const std::pair<const char*, const char*> cases[] = {
      {"{{ if true }}x", "line 1, column 1: {{if}} has no {{end}}"},
      {"{{ end }}", "line 1, column 1: unexpected {{end}}"},
      {"a {{ else }}", "line 1, column 3: unexpected {{else}}"},
      {"{{ if 1 }}{{ else }}{{ else }}{{ end }}", "line 1, column 21: expected {{end}} after {{else}} at line 1, column 11"},
      {"{{ range $labels }}{{ else }}{{ break }}{{ end }}", "line 1, column 33: {{break}} outside {{range}}"},
      {"{{ break }}", "line 1, column 4: {{break}} outside {{range}}"},
      {"{{ }}", "line 1, column 4: missing value for command"},
      {"{{ if }}{{ end }}", "line 1, column 7: missing value for if"},
      {"{{ humanize }}", "line 1, column 4: wrong number of args for humanize: want 1 got 0"},
      {"{{ 1 | humanize 2 }}", "line 1, column 8: wrong number of args for humanize: want 1 got 2"},
      {"{{ $labels.job 1 }}", "line 1, column 4: can't give argument to non-function \"$labels.job\""},
      {"{{ 1 | 2 }}", "line 1, column 8: can't give argument to non-function \"2\""},
      {"{{ nil }}", "line 1, column 4: nil is not a command"},
      {"{{ printf 1 }}", "line 1, column 11: printf needs a format string as its first argument"},
      {"{{ \"abc }}", "line 1, column 4: unterminated quoted string"},
      {"{{ `abc }}", "line 1, column 4: unterminated raw quoted string"},
      {"{{ \"\\q\" }}", "line 1, column 5: invalid escape in quoted string"},
      {"{{/* abc }}", "line 1, column 1: unclosed comment"},
      {"{{/* abc */ x}}", "line 1, column 12: comment ends before closing delimiter"},
      {"{{ (1 }}", "line 1, column 4: unclosed left paren"},
      {"{{ 1) }}", "line 1, column 5: unexpected \")\" in command"},
      {"{{ 12ab }}", "line 1, column 4: bad number syntax: \"12ab\""},
      {"{{ @ }}", "line 1, column 4: unrecognized character in action: U+0040"},
      {"{{ define \"x\" }}{{ end }}", "line 1, column 4: {{define}} is not supported by Sentinel"},
      {"{{ template \"x\" }}", "line 1, column 4: {{template}} is not supported by Sentinel"},
      {"{{ reReplaceAll \"a\" \"b\" $labels.job }}", "line 1, column 4: function \"reReplaceAll\" is not supported by Sentinel"},
      {"{{ $x = 1 }}", "line 1, column 4: undefined variable \"$x\""},
      {"{{ $a, $b := 1 }}", "line 1, column 4: too many declarations in command"},
      {"{{ $a, 1 }}", "line 1, column 4: undefined variable \"$a\""},
      {"{{ range $a, $b, $c := $labels }}{{ end }}", "line 1, column 10: too many declarations in range"},
      {"{{ printf\"x\" }}", "line 1, column 10: unexpected \"\\\"x\\\"\" in operand"},
      {"{{ 1.x }}", "line 1, column 4: bad number syntax: \"1.x\""},
      {"{{ \"a\".b }}", "line 1, column 7: unexpected . after term \"\\\"a\\\"\""},
      {"{{ 99999999999999999999 }}", "line 1, column 4: integer overflow: \"99999999999999999999\""},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(describe(parse_error(text)), want);
  }
}

TEST(MessageTemplate, ScopesEndWithTheirBlock) {
  EXPECT_EQ(describe(parse_error("{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}")),
            "line 1, column 39: undefined variable \"$x\"");
  EXPECT_EQ(describe(parse_error("{{ range $k, $v := $labels }}{{ end }}{{ $k }}")),
            "line 1, column 42: undefined variable \"$k\"");
}

// --- limits -------------------------------------------------------------------------

TEST(MessageTemplate, RejectsTemplatesOverTheSizeLimit) {
  const std::string fits(MessageTemplate::max_template_bytes, 'x');
  EXPECT_TRUE(MessageTemplate::parse(fits).has_value());
  const std::string over(MessageTemplate::max_template_bytes + 1, 'x');
  const auto e = parse_error(over);
  EXPECT_EQ(e.message, "template is longer than 16384 bytes");
  EXPECT_EQ(e.offset, MessageTemplate::max_template_bytes);
}

TEST(MessageTemplate, RejectsNestingDeeperThanTheLimit) {
  auto nested_ifs = [](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += "{{ if true }}";
    s += "x";
    for (std::size_t i = 0; i < n; ++i) s += "{{ end }}";
    return s;
  };
  EXPECT_EQ(render(nested_ifs(32)), "x");
  EXPECT_EQ(parse_error(nested_ifs(33)).message, "nesting deeper than 32 levels");

  auto nested_parens = [](std::size_t n) { return "{{ " + std::string(n, '(') + "1" + std::string(n, ')') + " }}"; };
  EXPECT_EQ(render(nested_parens(32)), "1");
  EXPECT_EQ(parse_error(nested_parens(33)).message, "nesting deeper than 32 levels");
  EXPECT_EQ(parse_error(nested_parens(5000)).message, "nesting deeper than 32 levels");  // no stack overflow
  // A long else-if chain is flat, not nested.
  std::string chain = "{{ if false }}";
  for (int i = 0; i < 800; ++i) chain += "{{ else if false }}";
  chain += "{{ else }}last{{ end }}";
  EXPECT_EQ(render(chain), "last");
}

TEST(MessageTemplate, CutsOutputAtTheLimitOnAUtf8Boundary) {
  // 2-byte characters with a 1-byte lead: the cut must not split one.
  const std::string t = "x{{ range $labels }}{{ . }}{{ . }}{{ . }}{{ . }}{{ . }}{{ . }}{{ . }}{{ . }}{{ end }}";
  Labels big;
  for (int i = 0; i < 100; ++i) big["l" + std::to_string(i)] = std::string(50, 'a') + "é" + std::string(25, 'b');
  const std::string out = render(t, 1, &big);
  EXPECT_LE(out.size(), MessageTemplate::max_output_bytes);
  EXPECT_GE(out.size(), MessageTemplate::max_output_bytes - 3);
  EXPECT_EQ(core::sanitize_utf8(out), out);
}

TEST(MessageTemplate, BoundsWorkAndMemoryOfPathologicalTemplates) {
  Labels many;
  for (int i = 0; i < 100; ++i) many["l" + std::to_string(i)] = "v";
  // 100^8 iterations that print nothing: stopped by the work budget.
  std::string ranges;
  for (int i = 0; i < 8; ++i) ranges += "{{ range $labels }}";
  ranges += "{{ if false }}x{{ end }}";
  for (int i = 0; i < 8; ++i) ranges += "{{ end }}";
  EXPECT_EQ(render(ranges, 1, &many), "");
  // A string quadrupled 12 times (4^12 × 10 bytes) is capped at every step.
  std::string grow = "{{ $s := \"0123456789\" }}";
  for (int i = 0; i < 12; ++i) grow += "{{ $s = printf \"%s%s%s%s\" $s $s $s $s }}";
  const std::string out = render(grow + "{{ $s }}{{ $s }}");
  EXPECT_EQ(out.size(), MessageTemplate::max_output_bytes);
}

TEST(MessageTemplate, RandomInputNeverCrashes) {
  std::mt19937 rng(20240611);  // deterministic
  const std::string_view pieces[] = {"{{", "}}", "{{-", "-}}", " ", "if", "else", "end", "range", "with", "$labels",
                                     ".Labels", "$value", ".", "|", "(", ")", "\"", "`", "'", "printf", "humanize",
                                     "%", "%d", "%s", "$x", ":=", "=", ",", "1", "-2.5e3", "0x", "\\", "/*", "*/",
                                     "eq", "and", "not", "index", "len", "toUpper", "break", "\n", "é", "\xff", "nil",
                                     "true", ".job", "humanizeDuration", "%*d", "%[2]s", "{{ range $k, $v := $labels }}"};
  const Labels labels{{"job", "node"}, {"instance", "host:9100"}, {"x", "12.5"}};
  std::size_t parsed = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    std::string text;
    const auto n = std::uniform_int_distribution<int>(0, 40)(rng);
    for (int k = 0; k < n; ++k) {
      if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
        text.push_back(static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng)));
      } else {
        text += pieces[std::uniform_int_distribution<std::size_t>(0, std::size(pieces) - 1)(rng)];
      }
    }
    const auto t = MessageTemplate::parse(text);
    if (!t) {
      EXPECT_FALSE(t.error().message.empty());
      EXPECT_LE(t.error().offset, text.size());
      EXPECT_GE(t.error().line, 1U);
      continue;
    }
    ++parsed;
    for (const std::optional<double> v : {std::optional<double>(97.5), std::optional<double>(), std::optional<double>(std::nan(""))}) {
      const std::string out = t->render(TemplateData{&labels, v});
      EXPECT_LE(out.size(), MessageTemplate::max_output_bytes);
    }
  }
  EXPECT_GT(parsed, 100U);  // the generator reaches the executor, not just the parser
}

TEST(MessageTemplate, RenderTemplateFallsBackToTheText) {
  const Labels labels{{"job", "node"}};
  EXPECT_EQ(render_template("{{ $labels.job }} up", TemplateData{&labels, 1.0}), "node up");
  EXPECT_EQ(render_template("{{ $labels.job ", TemplateData{&labels, 1.0}), "{{ $labels.job ");
  EXPECT_EQ(render_template("{{ query \"up\" }}", TemplateData{&labels, 1.0}), "{{ query \"up\" }}");
}

TEST(MessageTemplate, CopiesShareTheParsedTemplate) {
  const auto t = MessageTemplate::parse("{{ $labels.job }}={{ $value }}");
  ASSERT_TRUE(t.has_value());
  const MessageTemplate copy = *t;
  const Labels labels{{"job", "api"}};
  EXPECT_EQ(copy.render(TemplateData{&labels, 2.0}), "api=2");
  EXPECT_EQ(t->render(TemplateData{&labels, 3.0}), "api=3");
}

}  // namespace
}  // namespace sentinel::domain
