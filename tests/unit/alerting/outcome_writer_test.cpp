// OutcomeWriter (group commit of evaluation outcomes) on a real SQLite
// store: evaluations finishing together are all recorded with their events,
// one that cannot be prepared or written fails alone, and a batch waits for
// company only while announced outcomes are still to come, no longer than its
// linger, and not at all once it is full.
#include "alerting/outcome_writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <atomic>
#include <chrono>
#include <optional>
#include <mutex>
#include <filesystem>
#include <latch>
#include <stdexcept>

#include "core/blocking.hpp"
#include "storage/alert_rule_repository.hpp"
#include "storage/database.hpp"
#include "storage/statement_cache.hpp"
#include <soci/soci.h>
#include "sqlite_fixture.hpp"

using namespace sentinel;
namespace asio = boost::asio;

namespace {

class OutcomeWriterTest : public sentinel::testing::SqliteTest {
 protected:
  OutcomeWriterTest() : SqliteTest("writer") {}

  domain::AlertRule make_rule(const std::string& name) {
    domain::AlertRuleCreate r;
    r.name = name;
    r.metric_name = "cpu_usage_percent";
    r.promql = "up";
    r.threshold = 90;
    r.channel = "webhook";
    return rules().create(r, domain::AuditActor::cli()).value();
  }
  // `n` rules named "<prefix> <i>" and a quiet outcome for each.
  void quiet_rules(const std::string& prefix, std::size_t n, std::vector<domain::AlertRule>& rule_list,
                   std::vector<storage::EvaluationRecord>& records) {
    for (std::size_t i = 0; i < n; ++i) {
      rule_list.push_back(make_rule(prefix + " " + std::to_string(i)));
      records.push_back(quiet(rule_list.back().id));
    }
  }
  storage::AlertRuleRepository rules() { return storage::AlertRuleRepository(*db_, clock); }

  storage::EvaluationRecord quiet(std::int64_t rule_id) {
    storage::EvaluationRecord e;
    e.rule_id = rule_id;
    e.owner = "w1";
    e.evaluated_at = now;
    e.state = "inactive";
    e.last_value = 1;
    return e;
  }
  storage::EvaluationRecord fires(std::int64_t rule_id) {
    auto e = quiet(rule_id);
    e.state = "firing";
    e.last_value = 95;
    storage::SeriesUpdate u;
    u.series.fingerprint = "fp";
    u.series.labels = {{"instance", "10.0.0.1:9100"}};
    u.series.state = "firing";
    u.series.firing_since = now;
    u.series.last_seen_at = now;
    u.series.last_value = 95;
    u.notify = storage::Notification::firing;
    u.value = 95;
    u.message = "cpu is 95";
    u.payload = "{}";
    e.updates.push_back(std::move(u));
    return e;
  }

  core::Timestamp now = core::from_unix(1'800'000'000);
  core::Clock clock = [this] { return now; };
};

// What one evaluation's coroutine saw.
struct Outcome {
  bool done = false;
  std::vector<storage::RecordedEvent> events;
  std::string error;
};

// `expected`: the announcement of this outcome (OutcomeWriter::expect), if any.
asio::awaitable<void> write_one(alerting::OutcomeWriter& writer, const domain::AlertRule& rule,
                                storage::EvaluationRecord& record, const std::function<void()>& prepare,
                                Outcome& out, alerting::OutcomeWriter::Expected* expected = nullptr) {
  alerting::OutcomeWriter::Expected unannounced;
  try {
    out.events = co_await writer.write(rule, record, prepare, expected ? *expected : unannounced);
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  out.done = true;
}

}  // namespace

TEST_F(OutcomeWriterTest, EvaluationsFinishingTogetherAreAllRecorded) {
  storage::AlertEngineStore store(*db_, clock);
  core::BlockingPool blocking(2);
  alerting::OutcomeWriter writer(store, blocking);
  asio::io_context io;

  constexpr std::size_t n = 40;
  std::vector<domain::AlertRule> rule_list;
  std::vector<storage::EvaluationRecord> records;
  for (std::size_t i = 0; i < n; ++i) {
    rule_list.push_back(make_rule("rule " + std::to_string(i)));
    records.push_back(i % 4 == 0 ? fires(rule_list.back().id) : quiet(rule_list.back().id));
  }
  int prepared = 0;
  const std::function<void()> prepare = [&prepared] { ++prepared; };  // one drain at a time: no race
  std::vector<Outcome> outcomes(n);
  for (std::size_t i = 0; i < n; ++i)
    asio::co_spawn(io, write_one(writer, rule_list[i], records[i], prepare, outcomes[i]), asio::detached);
  io.run();

  EXPECT_EQ(prepared, n);
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(outcomes[i].done) << i;
    EXPECT_EQ(outcomes[i].error, "") << i;
    EXPECT_EQ(outcomes[i].events.size(), i % 4 == 0 ? 1u : 0u) << i;
    const auto stored = rules().get(rule_list[i].id).value();
    EXPECT_EQ(stored.state, i % 4 == 0 ? "firing" : "inactive") << i;
    EXPECT_EQ(stored.last_evaluated_at, now) << i;
  }
  blocking.join();
}

TEST_F(OutcomeWriterTest, AnEvaluationThatCannotBeWrittenFailsAlone) {
  storage::AlertEngineStore store(*db_, clock);
  core::BlockingPool blocking(2);
  alerting::OutcomeWriter writer(store, blocking);
  asio::io_context io;

  const auto good = make_rule("good"), broken = make_rule("broken"), unprepared = make_rule("unprepared");
  auto good_record = fires(good.id);
  // A series pointing at an event that does not exist violates a foreign
  // key: the whole batch's transaction fails.
  auto broken_record = quiet(broken.id);
  storage::SeriesUpdate bad;
  bad.series.fingerprint = "fp";
  bad.series.state = "firing";
  bad.series.event_id = 999999;
  broken_record.updates.push_back(bad);
  auto unprepared_record = quiet(unprepared.id);

  // A first evaluation holds the writer until the other three are queued,
  // so that those three are written as one batch.
  const auto gate = make_rule("gate");
  auto gate_record = quiet(gate.id);
  std::latch queued(1);
  const std::function<void()> hold = [&queued] { queued.wait(); };
  const std::function<void()> nothing = [] {};
  const std::function<void()> throws = [] { throw std::runtime_error("series unreadable"); };
  Outcome gate_out, good_out, broken_out, unprepared_out;
  asio::co_spawn(io, write_one(writer, gate, gate_record, hold, gate_out), asio::detached);
  asio::co_spawn(io, write_one(writer, good, good_record, nothing, good_out), asio::detached);
  asio::co_spawn(io, write_one(writer, broken, broken_record, nothing, broken_out), asio::detached);
  asio::co_spawn(io, write_one(writer, unprepared, unprepared_record, throws, unprepared_out), asio::detached);
  asio::post(io, [&queued] { queued.count_down(); });  // runs after the four coroutines reached the writer
  io.run();

  ASSERT_TRUE(gate_out.done && good_out.done && broken_out.done && unprepared_out.done);
  EXPECT_EQ(gate_out.error, "");
  EXPECT_EQ(good_out.error, "");
  ASSERT_EQ(good_out.events.size(), 1u);
  EXPECT_EQ(good_out.events[0].event.rule_id, good.id);
  EXPECT_EQ(rules().get(good.id).value().state, "firing");
  EXPECT_NE(broken_out.error, "");
  EXPECT_FALSE(rules().get(broken.id).value().last_evaluated_at.has_value());
  EXPECT_EQ(unprepared_out.error, "series unreadable");
  EXPECT_FALSE(rules().get(unprepared.id).value().last_evaluated_at.has_value());
  blocking.join();
}

namespace {

// The real database, except that once armed the next with_statements() fails
// AFTER its work (the batch's COMMIT included) went through: the connection
// broke as the transaction ended, or reading the events back failed.
class FailsAfterCommit final : public storage::Database {
 public:
  explicit FailsAfterCommit(storage::Database& inner) : inner_(inner) {}
  storage::Dialect dialect() const override { return inner_.dialect(); }
  void with_statements(const std::function<void(soci::session&, storage::StatementCache&)>& fn) override {
    inner_.with_statements(fn);
    if (armed.exchange(false)) throw storage::DatabaseUnavailable("Database unavailable: connection lost after COMMIT");
  }
  bool ping() override { return inner_.ping(); }
  storage::PoolStats pool_stats() override { return inner_.pool_stats(); }
  std::atomic<bool> armed{false};

 protected:
  void run_session(const std::function<void(soci::session&)>& fn) override { inner_.with_session(fn); }

 private:
  storage::Database& inner_;
};

long long count_rows(storage::Database& db, const std::string& table, std::int64_t rule_id) {
  long long n = 0;
  const long long id = rule_id;
  db.with_session([&](soci::session& sql) {
    if (table == "alert_events")
      sql << "SELECT COUNT(*) FROM alert_events WHERE rule_id = :r", soci::use(id), soci::into(n);
    else
      sql << "SELECT COUNT(*) FROM notification_outbox o JOIN alert_events e ON e.id = o.event_id "
             "WHERE e.rule_id = :r",
          soci::use(id), soci::into(n);
  });
  return n;
}

}  // namespace

// A failure after the batch's COMMIT must not send the batch down the
// one-by-one path: its outcomes are written, and writing them again would
// record every event, and send every notification, twice.
TEST_F(OutcomeWriterTest, AFailureAfterCommitNeverWritesTheBatchAgain) {
  FailsAfterCommit flaky(*db_);
  storage::AlertEngineStore store(flaky, clock);
  core::BlockingPool blocking(2);
  alerting::OutcomeWriter writer(store, blocking);
  asio::io_context io;

  const auto first = make_rule("first"), second = make_rule("second"), gate = make_rule("gate");
  auto first_record = fires(first.id), second_record = fires(second.id), gate_record = quiet(gate.id);
  std::latch queued(1);
  // The gate's batch goes first and alone; the failure is armed for the
  // next batch, which holds both firing outcomes.
  const std::function<void()> hold = [&queued] { queued.wait(); };
  const std::function<void()> arm = [&flaky] { flaky.armed = true; };
  const std::function<void()> nothing = [] {};
  Outcome gate_out, first_out, second_out;
  asio::co_spawn(io, write_one(writer, gate, gate_record, hold, gate_out), asio::detached);
  asio::co_spawn(io, write_one(writer, first, first_record, arm, first_out), asio::detached);
  asio::co_spawn(io, write_one(writer, second, second_record, nothing, second_out), asio::detached);
  asio::post(io, [&queued] { queued.count_down(); });
  io.run();
  blocking.join();

  ASSERT_TRUE(gate_out.done && first_out.done && second_out.done);
  EXPECT_FALSE(flaky.armed) << "the failure was injected";
  for (const auto& rule : {first, second}) {
    EXPECT_EQ(count_rows(*db_, "alert_events", rule.id), 1) << rule.name << ": recorded once, not again";
    EXPECT_EQ(count_rows(*db_, "notification_outbox", rule.id), 1) << rule.name << ": notified once";
    EXPECT_EQ(rules().get(rule.id).value().state, "firing");
  }
}

namespace {

using SteadyClock = std::chrono::steady_clock;

// When each of `n` outcomes, sent `gap` apart, was prepared (on its way into
// the database), counted from the first send. `announced` evaluations are
// under way from the start (OutcomeWriter::expect), the first `n` of them
// the ones sending; the others do not finish during the call.
struct Staggered {
  std::vector<std::chrono::milliseconds> prepared_at;
  std::vector<Outcome> outcomes;
};

Staggered write_staggered(alerting::OutcomeWriter& writer, std::vector<domain::AlertRule>& rule_list,
                          std::vector<storage::EvaluationRecord>& records, std::size_t announced,
                          std::chrono::milliseconds gap) {
  const std::size_t n = rule_list.size();
  asio::io_context io;
  std::mutex m;
  std::vector<SteadyClock::time_point> prepared;
  const std::function<void()> prepare = [&] {
    std::lock_guard lock(m);
    prepared.push_back(SteadyClock::now());
  };
  std::vector<alerting::OutcomeWriter::Expected> expected;
  for (std::size_t i = 0; i < announced; ++i) expected.push_back(writer.expect());
  Staggered out;
  out.outcomes.resize(n);
  const auto started = SteadyClock::now();
  auto send = [&]() -> asio::awaitable<void> {
    for (std::size_t i = 0; i < n; ++i) {
      asio::co_spawn(io, write_one(writer, rule_list[i], records[i], prepare, out.outcomes[i], &expected[i]),
                     asio::detached);
      asio::steady_timer t(io, gap);
      co_await t.async_wait(asio::use_awaitable);
    }
  };
  asio::co_spawn(io, send(), asio::detached);
  io.run();  // returns once every outcome's evaluation has resumed
  for (const auto& t : prepared)
    out.prepared_at.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(t - started));
  return out;
}

// Every outcome of `run` was recorded without error, in one batch (prepared
// within 30 ms of each other), `after` the first send at the earliest and
// `before` it at the latest.
void expect_one_batch_between(const Staggered& run, std::size_t n, std::chrono::milliseconds after,
                              std::chrono::milliseconds before) {
  ASSERT_EQ(run.prepared_at.size(), n);
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(run.outcomes[i].done) << i;
    EXPECT_EQ(run.outcomes[i].error, "") << i;
  }
  for (const auto t : run.prepared_at) {
    EXPECT_GE(t, after);
    EXPECT_LT(t, before);
  }
  EXPECT_LT(run.prepared_at.back() - run.prepared_at.front(), std::chrono::milliseconds(30));
}

}  // namespace

TEST_F(OutcomeWriterTest, ABatchWaitsForCompanyNoLongerThanItsLinger) {
  storage::AlertEngineStore store(*db_, clock);
  core::BlockingPool blocking(2);
  alerting::OutcomeWriter writer(store, blocking,
                                 alerting::OutcomeWriterOptions{.linger = std::chrono::milliseconds(400), .max_batch = 64});
  std::vector<domain::AlertRule> rule_list;
  std::vector<storage::EvaluationRecord> records;
  quiet_rules("lingering", 3, rule_list, records);
  // Three outcomes 10 ms apart, all well inside the first one's linger,
  // while a fourth evaluation is still under way.
  const auto run = write_staggered(writer, rule_list, records, 4, std::chrono::milliseconds(10));
  blocking.join();

  // Written together, once the first outcome's linger was over: not one by
  // one as they arrived, and not later than the linger (plus scheduling).
  expect_one_batch_between(run, 3, std::chrono::milliseconds(390), std::chrono::milliseconds(2000));
  for (const auto& rule : rule_list) EXPECT_EQ(rules().get(rule.id).value().last_evaluated_at, now) << rule.name;
}

TEST_F(OutcomeWriterTest, AFullBatchIsWrittenWithoutWaiting) {
  storage::AlertEngineStore store(*db_, clock);
  core::BlockingPool blocking(2);
  // A linger far longer than the test may take, and a fifth evaluation
  // still under way: only a full batch is written.
  alerting::OutcomeWriter writer(store, blocking,
                                 alerting::OutcomeWriterOptions{.linger = std::chrono::seconds(30), .max_batch = 4});
  asio::io_context io;
  std::vector<domain::AlertRule> rule_list;
  std::vector<storage::EvaluationRecord> records;
  quiet_rules("batch", 4, rule_list, records);
  std::vector<alerting::OutcomeWriter::Expected> expected;
  for (int i = 0; i < 5; ++i) expected.push_back(writer.expect());
  const std::function<void()> nothing = [] {};
  std::vector<Outcome> outcomes(4);
  const auto started = SteadyClock::now();
  for (std::size_t i = 0; i < 4; ++i)
    asio::co_spawn(io, write_one(writer, rule_list[i], records[i], nothing, outcomes[i], &expected[i]),
                   asio::detached);
  io.run();  // returns once all four evaluations have resumed
  EXPECT_LT(SteadyClock::now() - started, std::chrono::seconds(5));
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(outcomes[i].done) << i;
    EXPECT_EQ(outcomes[i].error, "") << i;
  }
}

TEST_F(OutcomeWriterTest, TheLastExpectedOutcomeIsWrittenWithoutWaiting) {
  // The last evaluation of a burst has nobody left to wait for: its batch
  // goes at once, not after the linger (30 s here).
  storage::AlertEngineStore store(*db_, clock);
  core::BlockingPool blocking(2);
  alerting::OutcomeWriter writer(store, blocking,
                                 alerting::OutcomeWriterOptions{.linger = std::chrono::seconds(30), .max_batch = 64});
  std::vector<domain::AlertRule> rule_list;
  std::vector<storage::EvaluationRecord> records;
  quiet_rules("burst", 3, rule_list, records);
  const auto run = write_staggered(writer, rule_list, records, 3, std::chrono::milliseconds(20));
  blocking.join();

  // Together, once the third had arrived (40 ms in), and long before 30 s.
  expect_one_batch_between(run, 3, std::chrono::milliseconds(38), std::chrono::seconds(5));
}

TEST_F(OutcomeWriterTest, AnExpectedOutcomeThatNeverComesStopsHoldingTheBatch) {
  // An evaluation that fails before it has an outcome gives up its
  // announcement: the outcome waiting for it is written then.
  storage::AlertEngineStore store(*db_, clock);
  core::BlockingPool blocking(2);
  alerting::OutcomeWriter writer(store, blocking,
                                 alerting::OutcomeWriterOptions{.linger = std::chrono::seconds(30), .max_batch = 64});
  asio::io_context io;
  std::vector<domain::AlertRule> rule_list;
  std::vector<storage::EvaluationRecord> records;
  quiet_rules("abandoned", 1, rule_list, records);
  std::atomic<bool> written_early = false;
  std::atomic<bool> gave_up = false;
  const std::function<void()> prepare = [&] { written_early = !gave_up.load(); };
  auto first = writer.expect();
  std::optional<alerting::OutcomeWriter::Expected> failing(writer.expect());
  Outcome outcome;
  const auto started = SteadyClock::now();
  asio::co_spawn(io, write_one(writer, rule_list[0], records[0], prepare, outcome, &first), asio::detached);
  auto give_up = [&]() -> asio::awaitable<void> {
    asio::steady_timer t(io, std::chrono::milliseconds(50));
    co_await t.async_wait(asio::use_awaitable);
    gave_up = true;
    failing.reset();
  };
  asio::co_spawn(io, give_up(), asio::detached);
  io.run();
  blocking.join();

  ASSERT_TRUE(outcome.done);
  EXPECT_EQ(outcome.error, "");
  EXPECT_FALSE(written_early) << "written while another outcome was still to come";
  EXPECT_LT(SteadyClock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(rules().get(rule_list[0].id).value().last_evaluated_at, now);
}

TEST_F(OutcomeWriterTest, ALoneOutcomeIsWrittenWithoutWaiting) {
  storage::AlertEngineStore store(*db_, clock);
  core::BlockingPool blocking(2);
  alerting::OutcomeWriter writer(store, blocking,
                                 alerting::OutcomeWriterOptions{.linger = std::chrono::seconds(30), .max_batch = 64});
  asio::io_context io;
  std::vector<domain::AlertRule> rule_list;
  std::vector<storage::EvaluationRecord> records;
  quiet_rules("lone", 1, rule_list, records);
  const std::function<void()> nothing = [] {};
  auto expected = writer.expect();
  Outcome outcome;
  const auto started = SteadyClock::now();
  asio::co_spawn(io, write_one(writer, rule_list[0], records[0], nothing, outcome, &expected), asio::detached);
  io.run();
  blocking.join();
  ASSERT_TRUE(outcome.done);
  EXPECT_EQ(outcome.error, "");
  EXPECT_LT(SteadyClock::now() - started, std::chrono::seconds(5));
}

TEST_F(OutcomeWriterTest, AnAnnouncementMayOutliveItsWriter) {
  // At shutdown an evaluation's coroutine frame can be destroyed with its
  // event loop after the engine (and its writer) is gone: giving up its
  // announcement then must not touch the writer (use after free under ASan).
  storage::AlertEngineStore store(*db_, clock);
  core::BlockingPool blocking(2);
  auto writer = std::make_unique<alerting::OutcomeWriter>(store, blocking);
  std::optional<alerting::OutcomeWriter::Expected> expected(writer->expect());
  writer.reset();
  expected.reset();
  blocking.join();
}
