// apply_evaluation: from a query's series and the stored state to what the
// store writes (series rows, notifications, the rule's state), and
// query_for: the PromQL each rule runs.
#include <gtest/gtest.h>

#include <algorithm>

#include "alerting/evaluation_outcome.hpp"
#include "domain/label_fingerprint.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using storage::Notification;

namespace {

const core::Timestamp t0 = core::from_unix(1'800'000'000);

domain::AlertRule rule(std::optional<std::int64_t> server_id = 1) {
  domain::AlertRule r;
  r.id = 7;
  r.name = "Disk full";
  r.server_id = server_id;
  r.promql = R"(disk{instance="$instance"})";
  r.threshold = 90;
  r.comparison = ">";
  r.repeat_interval_sec = 300;
  r.description = "free some space";
  return r;
}

alerting::ServerIndex servers() {
  alerting::ServerIndex index;
  index.by_id[1] = {1, "web-1", "10.0.0.1:9100", "node"};
  index.by_id[2] = {2, "db-1", "10.0.0.2:9100", "node"};
  index.id_by_instance = {{"10.0.0.1:9100", 1}, {"10.0.0.2:9100", 2}};
  return index;
}

prometheus::TestedSeries series(std::string mount, double value, std::optional<std::int64_t> server_id = 1) {
  prometheus::TestedSeries s;
  s.labels = {{"instance", "10.0.0.1:9100"}, {"mountpoint", std::move(mount)}};
  s.value = value;
  s.server_id = server_id;
  return s;
}

storage::EvaluationRecord run(const domain::AlertRule& r, std::vector<prometheus::TestedSeries> now_series,
                              std::vector<storage::StoredSeries> stored, core::Timestamp at = t0) {
  storage::EvaluationRecord record;
  alerting::apply_evaluation(r, servers(), std::move(now_series), std::move(stored), at, record);
  return record;
}

// What the store would hold after `record` (rows kept, forgotten ones gone).
std::vector<storage::StoredSeries> after(std::vector<storage::StoredSeries> stored,
                                         const storage::EvaluationRecord& record, std::int64_t new_event_id = 100) {
  for (const auto& u : record.updates) {
    std::erase_if(stored, [&](const auto& s) { return s.fingerprint == u.series.fingerprint; });
    if (u.forget) continue;
    auto s = u.series;
    if (u.notify == Notification::firing) s.event_id = new_event_id;
    stored.push_back(s);
  }
  return stored;
}

}  // namespace

TEST(EvaluationOutcome, EachSeriesHasItsOwnStateAndEvent) {
  auto r = rule();
  auto record = run(r, {series("/", 95), series("/data", 50), series("/boot", 91)}, {});
  EXPECT_EQ(record.state, "firing");
  EXPECT_EQ(record.last_value, 95);  // the worst series
  ASSERT_EQ(record.updates.size(), 2u) << "the series below threshold is neither stored nor notified";
  for (const auto& u : record.updates) {
    EXPECT_EQ(u.notify, Notification::firing);
    EXPECT_EQ(u.series.state, "firing");
    EXPECT_EQ(u.series.server_id, 1);
    EXPECT_EQ(u.series.fingerprint, domain::label_fingerprint(u.series.labels));
    EXPECT_NE(u.payload.find(R"("server_name":"web-1")"), std::string::npos) << u.payload;
    EXPECT_NE(u.payload.find(R"("description":"free some space")"), std::string::npos) << u.payload;
  }
  EXPECT_EQ(record.updates[0].message.rfind("Disk full: ", 0), 0u) << record.updates[0].message;
  EXPECT_NE(record.updates[0].message.find("on web-1"), std::string::npos) << record.updates[0].message;
}

TEST(EvaluationOutcome, UnchangedSeriesAreNotRewritten) {
  auto r = rule();
  auto first = run(r, {series("/", 95)}, {});
  auto stored = after({}, first);
  // Still firing with a new value, inside the repeat window: nothing to write.
  auto second = run(r, {series("/", 96)}, stored, t0 + 60s);
  EXPECT_TRUE(second.updates.empty());
  EXPECT_EQ(second.state, "firing");
  EXPECT_EQ(second.last_value, 96);
  // Past the window: a repeat of the open event.
  auto third = run(r, {series("/", 97)}, stored, t0 + 300s);
  ASSERT_EQ(third.updates.size(), 1u);
  EXPECT_EQ(third.updates[0].notify, Notification::repeat);
  EXPECT_EQ(third.updates[0].open_event_id, 100);
}

TEST(EvaluationOutcome, ResolutionNamesTheOpenEventAndForgetsTheSeries) {
  auto r = rule();
  auto stored = after({}, run(r, {series("/", 95)}, {}));
  auto record = run(r, {series("/", 40)}, stored, t0 + 60s);
  ASSERT_EQ(record.updates.size(), 1u);
  const auto& u = record.updates[0];
  EXPECT_EQ(u.notify, Notification::resolved);
  EXPECT_EQ(u.open_event_id, 100);
  EXPECT_TRUE(u.forget);
  EXPECT_EQ(u.value, 40);
  EXPECT_EQ(record.state, "inactive");
}

TEST(EvaluationOutcome, ADisappearedSeriesResolvesByDefault) {
  auto r = rule();
  auto stored = after({}, run(r, {series("/", 95), series("/data", 95)}, {}));
  auto record = run(r, {series("/", 95)}, stored, t0 + 60s);
  ASSERT_EQ(record.updates.size(), 1u);
  EXPECT_EQ(record.updates[0].series.labels.at("mountpoint"), "/data");
  EXPECT_EQ(record.updates[0].notify, Notification::resolved);
  EXPECT_FALSE(record.updates[0].value) << "absent: no sample";
  EXPECT_EQ(record.state, "firing");  // "/" still fires
}

TEST(EvaluationOutcome, NoDataAlertingFiresOnAnEmptyResult) {
  auto r = rule();
  r.no_data_state = "alerting";
  auto record = run(r, {}, {});
  ASSERT_EQ(record.updates.size(), 1u);
  const auto& u = record.updates[0];
  EXPECT_EQ(u.notify, Notification::firing);
  EXPECT_TRUE(u.series.labels.empty());
  EXPECT_EQ(u.series.fingerprint, domain::label_fingerprint({}));
  EXPECT_EQ(u.series.server_id, 1);
  EXPECT_NE(u.message.find("no data"), std::string::npos) << u.message;
  EXPECT_EQ(record.state, "firing");
}

TEST(EvaluationOutcome, FleetSeriesMapToServersByInstance) {
  auto r = rule(std::nullopt);
  auto other = series("/", 99, std::nullopt);
  other.labels = {{"instance", "10.9.9.9:9100"}};
  auto db = series("/", 95, 2);
  db.labels = {{"instance", "10.0.0.2:9100"}};
  auto record = run(r, {db, other}, {});
  ASSERT_EQ(record.updates.size(), 2u);
  std::map<std::string, storage::SeriesUpdate> by_instance;
  for (const auto& u : record.updates) by_instance[u.series.labels.at("instance")] = u;
  EXPECT_EQ(by_instance["10.0.0.2:9100"].series.server_id, 2);
  EXPECT_NE(by_instance["10.0.0.2:9100"].message.find("on db-1"), std::string::npos);
  // An unregistered instance still alerts, without a server.
  EXPECT_FALSE(by_instance["10.9.9.9:9100"].series.server_id);
  EXPECT_NE(by_instance["10.9.9.9:9100"].message.find("on 10.9.9.9:9100"), std::string::npos);
}

TEST(EvaluationOutcome, PendingIsStoredWithoutNotification) {
  auto r = rule();
  r.for_sec = 120;
  auto record = run(r, {series("/", 95)}, {});
  ASSERT_EQ(record.updates.size(), 1u);
  EXPECT_EQ(record.updates[0].notify, Notification::none);
  EXPECT_EQ(record.updates[0].series.state, "pending");
  EXPECT_EQ(record.state, "pending");
  auto stored = after({}, record);
  auto later = run(r, {series("/", 95)}, stored, t0 + 120s);
  ASSERT_EQ(later.updates.size(), 1u);
  EXPECT_EQ(later.updates[0].notify, Notification::firing);
}

TEST(EvaluationOutcome, QueryForRendersServerRulesAndRefusesAMissingServer) {
  auto index = servers();
  auto q = alerting::query_for(rule(1), index);
  ASSERT_TRUE(q);
  EXPECT_EQ(*q, R"(disk{instance="10.0.0.1:9100"})");
  auto gone = alerting::query_for(rule(42), index);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error(), "Server of this rule not found");
  auto fleet = rule(std::nullopt);
  fleet.promql = "disk > 0";
  EXPECT_EQ(alerting::query_for(fleet, index).value(), "disk > 0");
}

TEST(EvaluationOutcome, NoDataAlertEndsWhenTheQueryReturnsSeriesAgain) {
  auto r = rule();
  r.no_data_state = "alerting";
  auto stored = after({}, run(r, {}, {}));
  ASSERT_EQ(stored.size(), 1u);
  ASSERT_EQ(stored[0].state, "firing");
  // Data is back (below threshold): the "no data" alert resolves and is dropped.
  auto record = run(r, {series("/", 40)}, stored, t0 + 60s);
  const auto none = domain::label_fingerprint({});
  auto it = std::find_if(record.updates.begin(), record.updates.end(),
                         [&](const auto& u) { return u.series.fingerprint == none; });
  ASSERT_NE(it, record.updates.end());
  EXPECT_EQ(it->notify, Notification::resolved);
  EXPECT_TRUE(it->forget);
  EXPECT_EQ(record.state, "inactive");
}

TEST(EvaluationOutcome, ASeriesFiringForMissingDataSaysNoData) {
  auto r = rule();
  r.no_data_state = "alerting";
  auto stored = after({}, run(r, {series("/", 40)}, {}));  // below threshold: remembered, inactive
  ASSERT_EQ(stored.size(), 1u);
  auto record = run(r, {}, stored, t0 + 60s);  // the series vanished
  ASSERT_EQ(record.updates.size(), 1u);
  EXPECT_EQ(record.updates[0].notify, Notification::firing);
  EXPECT_EQ(record.updates[0].message, "Disk full: no data > 90 on web-1");
}

// A fleet rule fired for a host nobody had registered; the host is
// registered while the event is open: the next evaluation names it, in the
// series and in the open event, without a notification of its own.
TEST(EvaluationOutcome, AnOpenEventGainsTheServerRegisteredLater) {
  auto r = rule(std::nullopt);
  auto stored = after({}, run(r, {series("/", 95, std::nullopt)}, {}));
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_FALSE(stored[0].server_id);
  // Still firing, inside the repeat window: before the server was known, nothing to write.
  EXPECT_TRUE(run(r, {series("/", 96, std::nullopt)}, stored, t0 + 30s).updates.empty());
  auto record = run(r, {series("/", 96, 1)}, stored, t0 + 60s);
  ASSERT_EQ(record.updates.size(), 1u);
  const auto& u = record.updates[0];
  EXPECT_EQ(u.notify, Notification::none);
  EXPECT_EQ(u.series.server_id, 1);
  EXPECT_EQ(u.series.event_id, 100);
  EXPECT_TRUE(u.event_gains_server);
  // Once known, it is not written again.
  EXPECT_TRUE(run(r, {series("/", 97, 1)}, after(stored, record), t0 + 90s).updates.empty());
}

TEST(EvaluationOutcome, AnEventResolvedAsItsServerIsLearnedGainsItToo) {
  auto r = rule(std::nullopt);
  auto stored = after({}, run(r, {series("/", 95, std::nullopt)}, {}));
  auto record = run(r, {series("/", 40, 1)}, stored, t0 + 60s);
  ASSERT_EQ(record.updates.size(), 1u);
  EXPECT_EQ(record.updates[0].notify, Notification::resolved);
  EXPECT_EQ(record.updates[0].open_event_id, 100);
  EXPECT_TRUE(record.updates[0].event_gains_server);
}
