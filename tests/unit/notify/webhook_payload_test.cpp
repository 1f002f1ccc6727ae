#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "notify/webhook_payload.hpp"

namespace sentinel::notify {
namespace {

Notification sample(NotificationKind kind = NotificationKind::firing) {
  Notification n;
  n.kind = kind;
  n.event.id = 11;
  n.event.rule_id = 7;
  n.event.server_id = 1;
  n.event.rule_name = "Disk almost full";
  n.event.severity = "critical";
  n.event.value = 93.25;
  n.event.threshold = 90;
  n.event.comparison = ">";
  n.event.labels = {{"instance", "10.0.0.5:9100"}, {"mountpoint", "/"}, {"job", "node"}};
  n.event.started_at = core::from_unix(1795472666);  // 2026-11-23T22:24:26Z
  n.server_name = "web-1";
  n.instance = "10.0.0.5:9100";
  n.description = "root filesystem";
  return n;
}

std::vector<std::string> keys(const boost::json::object& o) {
  std::vector<std::string> out;
  for (const auto& [k, v] : o) out.emplace_back(k);
  return out;
}

std::map<std::string, std::string> strings(const boost::json::value& v) {
  std::map<std::string, std::string> out;
  for (const auto& [k, e] : v.as_object()) out[k] = std::string(e.as_string());
  return out;
}

TEST(AlertmanagerFingerprint, MatchesPrometheusCommon) {
  // Vectors from prometheus/common model/signature_test.go.
  EXPECT_EQ(alertmanager_fingerprint({}), "cbf29ce484222325");
  EXPECT_EQ(alertmanager_fingerprint({{"name", "garland, briggs"}, {"fear", "love is not enough"}}),
            "507a62d79ee76c9a");
  EXPECT_EQ(alertmanager_fingerprint({{"first-label", "first-label-value"}}), "476b44f5db3e21f9");
  EXPECT_EQ(alertmanager_fingerprint({{"first-label", "first-label-value"}, {"second-label", "second-label-value"}}),
            "2c59c33dd8453b1d");
}

TEST(WebhookPayload, FiringHasAlertmanagerShapeAndOrder) {
  const auto body = boost::json::value(webhook_payload(sample(), {"sentinel", "https://sentinel.example/"}));
  const auto& p = body.as_object();
  EXPECT_EQ(keys(p), (std::vector<std::string>{"receiver", "status", "alerts", "groupLabels", "commonLabels",
                                               "commonAnnotations", "externalURL", "version", "groupKey",
                                               "truncatedAlerts"}));
  EXPECT_EQ(p.at("receiver").as_string(), "sentinel");
  EXPECT_EQ(p.at("status").as_string(), "firing");
  EXPECT_EQ(p.at("version").as_string(), "4");
  EXPECT_EQ(p.at("truncatedAlerts").as_int64(), 0);
  EXPECT_EQ(p.at("externalURL").as_string(), "https://sentinel.example");
  EXPECT_EQ(strings(p.at("groupLabels")), (std::map<std::string, std::string>{{"alertname", "Disk almost full"}}));

  ASSERT_EQ(p.at("alerts").as_array().size(), 1u);
  const auto& a = p.at("alerts").as_array()[0].as_object();
  EXPECT_EQ(keys(a), (std::vector<std::string>{"status", "labels", "annotations", "startsAt", "endsAt",
                                               "generatorURL", "fingerprint"}));
  EXPECT_EQ(a.at("status").as_string(), "firing");
  const std::map<std::string, std::string> labels{
      {"alertname", "Disk almost full"}, {"instance", "10.0.0.5:9100"}, {"job", "node"}, {"mountpoint", "/"},
      {"rule_id", "7"}, {"server_id", "1"}, {"severity", "critical"}};
  EXPECT_EQ(strings(a.at("labels")), labels);
  EXPECT_EQ(strings(a.at("annotations")),
            (std::map<std::string, std::string>{{"summary", "Disk almost full on web-1: 93.25 (> 90)"},
                                                {"description", "root filesystem"},
                                                {"value", "93.25"},
                                                {"threshold", "90"},
                                                {"comparison", ">"}}));
  EXPECT_EQ(a.at("startsAt").as_string(), "2026-11-23T22:24:26Z");
  EXPECT_EQ(a.at("endsAt").as_string(), "0001-01-01T00:00:00Z");
  EXPECT_EQ(a.at("generatorURL").as_string(), "https://sentinel.example/api/v1/alerts/rules/7");
  const std::string fp(a.at("fingerprint").as_string());
  EXPECT_EQ(fp, alertmanager_fingerprint(labels));
  EXPECT_EQ(fp.size(), 16u);
  EXPECT_EQ(strings(p.at("commonLabels")), labels);
  EXPECT_EQ(p.at("commonAnnotations"), a.at("annotations"));
  EXPECT_EQ(p.at("groupKey").as_string(), "{}/{fingerprint=\"" + fp + "\"}:{alertname=\"Disk almost full\"}");
}

TEST(WebhookPayload, ResolvedEndsAtResolvedAt) {
  auto n = sample(NotificationKind::resolved);
  n.event.status = "resolved";
  n.event.resolved_at = n.event.started_at + std::chrono::seconds{600};
  const auto p = webhook_payload(n, {});
  EXPECT_EQ(p.at("status").as_string(), "resolved");
  const auto& a = p.at("alerts").as_array()[0].as_object();
  EXPECT_EQ(a.at("status").as_string(), "resolved");
  EXPECT_EQ(a.at("endsAt").as_string(), "2026-11-23T22:34:26Z");
}

TEST(WebhookPayload, OneSeriesKeepsItsKeysAcrossKinds) {
  const auto firing = webhook_payload(sample(NotificationKind::firing), {});
  const auto repeat = webhook_payload(sample(NotificationKind::repeat), {});
  auto r = sample(NotificationKind::resolved);
  r.event.resolved_at = r.event.started_at;
  const auto resolved = webhook_payload(r, {});
  EXPECT_EQ(repeat.at("status").as_string(), "firing");
  EXPECT_EQ(firing.at("groupKey"), repeat.at("groupKey"));
  EXPECT_EQ(firing.at("groupKey"), resolved.at("groupKey"));
  EXPECT_EQ(firing.at("alerts").as_array()[0].at("fingerprint"), resolved.at("alerts").as_array()[0].at("fingerprint"));

  auto other = sample();
  other.event.labels["mountpoint"] = "/var";
  EXPECT_NE(webhook_payload(other, {}).at("groupKey"), firing.at("groupKey"));
}

TEST(WebhookPayload, NoExternalUrlMeansEmptyLinks) {
  const auto p = webhook_payload(sample(), {});
  EXPECT_EQ(p.at("externalURL").as_string(), "");
  EXPECT_EQ(p.at("alerts").as_array()[0].at("generatorURL").as_string(), "");
}

TEST(WebhookLabels, OursWinOverSeriesLabels) {
  auto n = sample();
  n.event.labels = {{"alertname", "spoof"}, {"severity", "info"}, {"server_id", "99"}, {"rule_id", "98"},
                    {"__name__", "node_filesystem_avail_bytes"}, {"empty", ""}, {"instance", "series:9100"}};
  const auto labels = webhook_alert_labels(n);
  EXPECT_EQ(labels.at("alertname"), "Disk almost full");
  EXPECT_EQ(labels.at("severity"), "critical");
  EXPECT_EQ(labels.at("server_id"), "1");
  EXPECT_EQ(labels.at("rule_id"), "7");
  EXPECT_EQ(labels.at("instance"), "series:9100");  // the series' own instance is kept
  EXPECT_FALSE(labels.contains("__name__"));
  EXPECT_FALSE(labels.contains("empty"));
}

TEST(WebhookLabels, UnregisteredInstanceAndDeletedRule) {
  auto n = sample();
  n.event.server_id.reset();
  n.event.rule_id.reset();
  n.server_name.reset();
  n.instance.reset();
  n.event.labels = {{"instance", "10.9.9.9:9100"}, {"server_id", "5"}};
  const auto labels = webhook_alert_labels(n);
  EXPECT_FALSE(labels.contains("server_id"));
  EXPECT_FALSE(labels.contains("rule_id"));
  EXPECT_EQ(labels.at("instance"), "10.9.9.9:9100");
  const auto p = webhook_payload(n, {"sentinel", "https://s.example"});
  EXPECT_EQ(p.at("alerts").as_array()[0].at("generatorURL").as_string(), "");
  EXPECT_EQ(p.at("alerts").as_array()[0].at("annotations").at("summary").as_string(),
            "Disk almost full on 10.9.9.9:9100: 93.25 (> 90)");
}

TEST(WebhookLabels, ServerInstanceFillsAMissingInstance) {
  auto n = sample();
  n.event.labels = {{"mountpoint", "/"}};
  EXPECT_EQ(webhook_alert_labels(n).at("instance"), "10.0.0.5:9100");
}

TEST(WebhookPayload, NoDataHasNoValueAnnotation) {
  auto n = sample();
  n.event.value.reset();
  const auto p = webhook_payload(n, {});
  const auto& ann = p.at("alerts").as_array()[0].at("annotations").as_object();
  EXPECT_FALSE(ann.contains("value"));
  EXPECT_EQ(ann.at("summary").as_string(), "Disk almost full on web-1: no data (> 90)");
}

TEST(WebhookPayload, MessageBecomesTheSummaryAndValueIsExact) {
  auto n = sample();
  n.event.message = "disk at 93%";
  n.event.value = 93.33333333333333;
  const auto p = webhook_payload(n, {});
  const auto& ann = p.at("alerts").as_array()[0].at("annotations").as_object();
  EXPECT_EQ(ann.at("summary").as_string(), "disk at 93%");
  EXPECT_EQ(ann.at("value").as_string(), "93.33333333333333");
}

TEST(WebhookPayload, HostileTextStaysValidJson) {
  auto n = sample();
  n.event.rule_name = "quote \" back\\slash\nnew\xFF";
  n.event.labels["weird"] = "\x01\xC3";
  const std::string body = boost::json::serialize(webhook_payload(n, {}));
  boost::system::error_code ec;
  const auto v = boost::json::parse(body, ec);
  ASSERT_FALSE(ec) << body;
  const auto& a = v.at("alerts").as_array()[0];
  EXPECT_EQ(a.at("labels").at("alertname").as_string(), "quote \" back\\slash\nnew\xEF\xBF\xBD");
  EXPECT_EQ(a.at("labels").at("weird").as_string(), "\x01\xEF\xBF\xBD");
  const std::string fp(a.at("fingerprint").as_string());
  EXPECT_EQ(v.at("groupKey").as_string(),
            "{}/{fingerprint=\"" + fp + "\"}:{alertname=\"quote \\\" back\\\\slash\\nnew\xEF\xBF\xBD\"}");
}

}  // namespace
}  // namespace sentinel::notify

namespace sentinel::notify {
namespace {

// A Prometheus-style rule (product.md §10): its rendered summary and other
// annotations, and its labels, reach webhook receivers as Prometheus would
// send them; a rule without a condition sends no threshold/comparison.
TEST(WebhookPayload, RuleTemplatesAndLabelsAreSentAsPrometheusWould) {
  Notification n = sample();
  n.summary = "10.0.0.5:9100 disk at 93%";
  n.annotations = {{"runbook_url", "https://wiki/disk"}, {"summary", "not this one"}};
  n.rule_labels = {{"team", "ops"}, {"job", "overridden"}, {"alertname", "not this one"}};
  n.event.threshold.reset();
  n.event.comparison.reset();
  const auto a = webhook_alert_annotations(n);
  EXPECT_EQ(a.at("summary"), "10.0.0.5:9100 disk at 93%");
  EXPECT_EQ(a.at("runbook_url"), "https://wiki/disk");
  EXPECT_EQ(a.at("description"), "root filesystem");
  EXPECT_FALSE(a.contains("threshold"));
  EXPECT_FALSE(a.contains("comparison"));
  const auto l = webhook_alert_labels(n);
  EXPECT_EQ(l.at("team"), "ops");
  EXPECT_EQ(l.at("job"), "overridden");
  EXPECT_EQ(l.at("alertname"), "Disk almost full");
  EXPECT_EQ(l.at("severity"), "critical");
}

}  // namespace
}  // namespace sentinel::notify
