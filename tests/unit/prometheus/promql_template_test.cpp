#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "prometheus/promql_template.hpp"

namespace sentinel::prometheus {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const TemplateVars server{"10.0.0.5:9100", "node"};

std::string render(std::string_view promql, const TemplateVars& vars = server) {
  auto r = render_promql(promql, vars);
  EXPECT_TRUE(r.has_value()) << promql << ": " << (r ? "" : r.error().fields.at(0).msg);
  return r ? *r : std::string("<error>");
}

// What Prometheus's lexer does with the body of a quoted literal (the
// escapes our renderer writes, nothing more): the test's independent check
// that a value comes back unchanged.
std::optional<std::string> unescape(std::string_view body) {
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') {
      out += body[i];
      continue;
    }
    if (++i == body.size()) return std::nullopt;
    switch (body[i]) {
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case '\'': out += '\''; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'x': {
        if (i + 2 >= body.size()) return std::nullopt;
        out += static_cast<char>(std::stoi(std::string(body.substr(i + 1, 2)), nullptr, 16));
        i += 2;
        break;
      }
      default: return std::nullopt;
    }
  }
  return out;
}

// The body of the quoted literal that starts right after `prefix` (e.g.
// `instance="`), read as Prometheus's lexer would: up to the first quote
// that is not escaped.
std::string literal_after(const std::string& query, std::string_view prefix) {
  const auto start = query.find(prefix);
  if (start == std::string::npos) return "<prefix not found>";
  const char quote = prefix.back();
  std::size_t i = start + prefix.size();
  const std::size_t body = i;
  while (i < query.size() && query[i] != quote) i += query[i] == '\\' ? 2U : 1U;
  return query.substr(body, i - body);
}

// Undoes quote_regex: a backslash escapes the next character.
std::string unquote_regex(std::string_view re) {
  std::string out;
  for (std::size_t i = 0; i < re.size(); ++i) {
    if (re[i] == '\\' && i + 1 < re.size()) ++i;
    out += re[i];
  }
  return out;
}

TEST(RenderPromql, SubstitutesInsideDoubleQuotes) {
  EXPECT_EQ(render(R"(up{instance="$instance",job="$job"})"), R"(up{instance="10.0.0.5:9100",job="node"})");
}

TEST(RenderPromql, SubstitutesInsideSingleQuotes) {
  EXPECT_EQ(render(R"(up{instance='$instance',job='$job'})"), R"(up{instance='10.0.0.5:9100',job='node'})");
}

TEST(RenderPromql, SubstitutesBracedNamesAndKeepsSurroundingText) {
  EXPECT_EQ(render(R"(up{instance="${instance}",x="${job}-$job:${instance}z"})"),
            R"(up{instance="10.0.0.5:9100",x="node-node:10.0.0.5:9100z"})");
}

TEST(RenderPromql, LeavesLongerNamesAlone) {
  for (const auto* q : {R"(up{instance="$instances"})", R"(up{job="$job_name"})", R"(up{job="$jobs1"})",
                        R"(up{instance="${instances}"})", R"(up{instance="${instance"})", R"(up{x="$"})",
                        R"(up{x="$$"})", R"(sum by ($foo) (up))"}) {
    SCOPED_TRACE(q);
    EXPECT_EQ(render(q), q);
  }
}

TEST(RenderPromql, QueryWithoutVariablesIsUnchanged) {
  const std::string q = "sum(rate(x[5m])) by (job) # no variables \"here";
  EXPECT_EQ(render(q, TemplateVars{}), q);
}

TEST(RenderPromql, InsertsAQuotedLiteralOutsideLiterals) {
  EXPECT_EQ(render("up{instance=$instance, job=${job}}"), R"(up{instance="10.0.0.5:9100", job="node"})");
  EXPECT_EQ(render(R"(label_replace(up, "host", $instance, "", ""))"),
            R"(label_replace(up, "host", "10.0.0.5:9100", "", ""))");
  // A hostile value outside a literal still becomes one literal.
  EXPECT_EQ(render("up{instance=$instance}", {R"(a"} or vector(1) #)", "node"}),
            R"(up{instance="a\"} or vector(1) #"})");
}

TEST(RenderPromql, RegexQuotesTheRightHandSideOfRegexMatchers) {
  EXPECT_EQ(render(R"(up{instance=~"$instance"})"), R"(up{instance=~"10\\.0\\.0\\.5:9100"})");
  EXPECT_EQ(render(R"(up{instance!~"$instance"})"), R"(up{instance!~"10\\.0\\.0\\.5:9100"})");
  EXPECT_EQ(render(R"(up{instance=~'$instance|other:1'})"), R"(up{instance=~'10\\.0\\.0\\.5:9100|other:1'})");
  EXPECT_EQ(render("up{instance=~`$instance`}"), R"(up{instance=~`10\.0\.0\.5:9100`})");
  EXPECT_EQ(render("up{instance=~$instance}"), R"(up{instance=~"10\\.0\\.0\\.5:9100"})");
}

TEST(RenderPromql, FindsRegexOperatorsAcrossWhitespaceAndComments) {
  EXPECT_EQ(render("up{instance =~ \t\n \"$instance\"}"), "up{instance =~ \t\n \"10\\\\.0\\\\.0\\\\.5:9100\"}");
  EXPECT_EQ(render("up{instance!~ # why\n  \"$instance\"}"), "up{instance!~ # why\n  \"10\\\\.0\\\\.0\\\\.5:9100\"}");
}

TEST(RenderPromql, OnlyTheMatcherDirectlyAfterARegexOperatorIsARegex) {
  EXPECT_EQ(render(R"(up{job=~"n.*",instance="$instance"})"), R"(up{job=~"n.*",instance="10.0.0.5:9100"})");
  EXPECT_EQ(render(R"(up{x="=~",instance="$instance"})"), R"(up{x="=~",instance="10.0.0.5:9100"})");
  EXPECT_EQ(render(R"(up{instance="$instance"} # =~ "$instance")"), R"(up{instance="10.0.0.5:9100"} # =~ "$instance")");
  EXPECT_EQ(render(R"(up{instance=~"a", x="$instance"})"), R"(up{instance=~"a", x="10.0.0.5:9100"})");
}

TEST(RenderPromql, HostileValuesStayInsideTheirLiteral) {
  const char* const hostile[] = {
      R"(a"} or vector(1) #)",
      R"(a\"})",
      R"(C:\path\)",
      "\\",
      "line1\nline2\r\tend",
      "it's",
      "`rm -rf`",
      "\x01\x1f\x7f",
      "ütf-8 漢字 ✓",
      "bad \xff\xc3 utf-8",
      "$instance ${job}",
      "",
  };
  for (const auto* value : hostile) {
    SCOPED_TRACE(value);
    for (const char quote : {'"', '\''}) {
      const std::string q = std::string("up{instance=") + quote + "$instance" + quote + ",job=" + quote + "$job" +
                            quote + "} # $instance";
      const std::string out = render(q, {value, "node"});
      const std::string literal = literal_after(out, std::string("instance=") + quote);
      EXPECT_EQ(unescape(literal), std::string(value));
      // Nothing after the literal changed: the value could not close it.
      EXPECT_EQ(out, std::string("up{instance=") + quote + literal + quote + ",job=" + quote + "node" + quote +
                         "} # $instance");
      EXPECT_EQ(literal, escape_string_literal(value, quote));
    }
  }
}

TEST(RenderPromql, HostileValuesInRegexMatchersMatchOnlyThemselves) {
  for (const auto* value : {R"(a"} or vector(1) #)", R"(10.0.0.5:9100|.*)", R"(a\"}.*)", "(x)[y]{1}^$+?*"}) {
    SCOPED_TRACE(value);
    const std::string out = render(R"(up{instance=~"$instance",job="$job"})", {value, "node"});
    const std::string literal = literal_after(out, R"(instance=~")");
    const auto regex = unescape(literal);
    ASSERT_TRUE(regex);
    EXPECT_EQ(*regex, quote_regex(value));
    EXPECT_EQ(unquote_regex(*regex), value);
    EXPECT_THAT(out, testing::EndsWith(R"(",job="node"})"));
  }
}

TEST(RenderPromql, HostileValueIsAnExactMatcherValue) {
  // The value a Prometheus label matcher would compare with, read back from
  // the rendered text, is the server's value byte for byte.
  const std::string value = "a\\\"} or vector(1) # \n'";
  const std::string out = render(R"(node_load1{instance="$instance",job="$job"})", {value, "node"});
  EXPECT_EQ(out, R"(node_load1{instance="a\\\"} or vector(1) # \n'",job="node"})");
  EXPECT_EQ(unescape(literal_after(out, R"(instance=")")), value);
}

TEST(RenderPromql, InsertsRawStringValuesAsIs) {
  EXPECT_EQ(render("up{instance=`$instance`}", {R"(a\b"c')", "node"}), R"(up{instance=`a\b"c'`})");
}

TEST(RenderPromql, RefusesABacktickInARawString) {
  const auto r = render_promql("up{instance=`$instance`}", {"a`b", "node"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::ErrorKind::invalid);
  ASSERT_EQ(r.error().fields.size(), 1U);
  EXPECT_THAT(r.error().fields[0].loc, ElementsAre("body", "promql"));
  EXPECT_EQ(r.error().fields[0].type, "value_error");
  EXPECT_THAT(r.error().fields[0].msg, StartsWith("Value error, "));
  EXPECT_THAT(r.error().fields[0].msg, HasSubstr("backtick"));
  // The same value is fine in a quoted literal.
  EXPECT_EQ(render(R"(up{instance="$instance"})", {"a`b", "node"}), R"(up{instance="a`b"})");
}

TEST(RenderPromql, MissingVariableIsAnErrorNamingIt) {
  const auto r = render_promql(R"(up{instance="$instance",job="$job"})", {"h:9100", std::nullopt});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::ErrorKind::invalid);
  ASSERT_EQ(r.error().fields.size(), 1U);
  EXPECT_THAT(r.error().fields[0].loc, ElementsAre("body", "promql"));
  EXPECT_EQ(r.error().fields[0].type, "value_error");
  EXPECT_THAT(r.error().fields[0].msg, StartsWith("Value error, "));
  EXPECT_THAT(r.error().fields[0].msg, HasSubstr("$job"));

  const auto outside = render_promql("up{instance=$instance}", {});
  ASSERT_FALSE(outside);
  EXPECT_THAT(outside.error().fields[0].msg, HasSubstr("$instance"));

  // Not mentioned, not needed.
  EXPECT_EQ(render(R"(up{instance="$instance"})", {"h:9100", std::nullopt}), R"(up{instance="h:9100"})");
}

TEST(RenderPromql, CopiesCommentsUnchanged) {
  EXPECT_EQ(render("up{instance=\"$instance\"} # for $instance and ${job}, see \"docs\n+ on() up{job=\"$job\"}"),
            "up{instance=\"10.0.0.5:9100\"} # for $instance and ${job}, see \"docs\n+ on() up{job=\"node\"}");
  // A comment does not need the variables it mentions.
  EXPECT_EQ(render("up # $instance", {}), "up # $instance");
}

TEST(RenderPromql, HashInsideALiteralIsNotAComment) {
  EXPECT_EQ(render(R"(up{x="# $instance"})"), R"(up{x="# 10.0.0.5:9100"})");
}

TEST(RenderPromql, RespectsEscapesAlreadyInTheLiteral) {
  EXPECT_EQ(render(R"(up{x="a\"$instance\\",job="$job"})"), R"(up{x="a\"10.0.0.5:9100\\",job="node"})");
  EXPECT_EQ(render(R"(up{x='it\'s $job'})"), R"(up{x='it\'s node'})");
}

TEST(RenderPromql, LeavesAnUnterminatedLiteralAsIs) {
  // Prometheus will answer bad_data pointing at the user's own text.
  EXPECT_EQ(render(R"(up{instance="$instance})"), R"(up{instance="$instance})");
  EXPECT_EQ(render(R"(up{job="$job"} or up{instance='$instance)"), R"(up{job="node"} or up{instance='$instance)");
  EXPECT_EQ(render("up{instance=`$instance"), "up{instance=`$instance");
  // A quoted literal cannot span lines.
  EXPECT_EQ(render("up{instance=\"$instance\n\"} or up{job=\"$job\"}"),
            "up{instance=\"$instance\n\"} or up{job=\"$job\"}");
}

TEST(RenderPromql, RawStringsMaySpanLines) {
  EXPECT_EQ(render("up{instance=`$instance\n`}"), "up{instance=`10.0.0.5:9100\n`}");
}

TEST(UsesTemplateVars, SeesVariablesInAndOutsideLiterals) {
  for (const auto* q : {R"(up{instance="$instance"})", R"(up{job='${job}'})", "up{instance=$instance}",
                        "up{instance=`${instance}`}", R"(up{x="a$job"})", R"(up{instance="$instance)"}) {
    SCOPED_TRACE(q);
    EXPECT_TRUE(uses_template_vars(q));
  }
}

TEST(UsesTemplateVars, IgnoresCommentsAndOtherNames) {
  for (const auto* q : {"up", "up # $instance", R"(up{instance="$instances"})", R"(up{job="$job_name"})",
                        "up{x=\"#\"} # ${job}", R"(sum by ($foo) (up))"}) {
    SCOPED_TRACE(q);
    EXPECT_FALSE(uses_template_vars(q));
  }
}

TEST(EscapeStringLiteral, EscapesForTheGivenQuote) {
  EXPECT_EQ(escape_string_literal(R"(a"b'c\d)"), R"(a\"b'c\\d)");
  EXPECT_EQ(escape_string_literal(R"(a"b'c\d)", '\''), R"(a"b\'c\\d)");
  EXPECT_EQ(escape_string_literal("\n\r\t\x01\x1b\x7f"), R"(\n\r\t\x01\x1b\x7f)");
  EXPECT_EQ(escape_string_literal("ü漢✓😀"), "ü漢✓😀");
  // Bytes that are not well-formed UTF-8 (stray, overlong, surrogate) as \xNN.
  EXPECT_EQ(escape_string_literal("a\xff" "b\xc0\xaf" "c\xed\xa0\x80"), R"(a\xffb\xc0\xafc\xed\xa0\x80)");
  EXPECT_EQ(escape_string_literal("\xe2\x9c"), R"(\xe2\x9c)");  // truncated ✓
}

TEST(QuoteRegex, EscapesEveryRe2Metacharacter) {
  EXPECT_EQ(quote_regex(R"(\.+*?()|[]{}^$)"), R"(\\\.\+\*\?\(\)\|\[\]\{\}\^\$)");
  EXPECT_EQ(quote_regex("10.0.0.5:9100"), R"(10\.0\.0\.5:9100)");
  EXPECT_EQ(quote_regex("plain-host_1:80"), "plain-host_1:80");
}

}  // namespace
}  // namespace sentinel::prometheus
