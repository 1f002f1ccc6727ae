// Notification channels in the database (product.md §9), on SQLite and
// PostgreSQL: secrets only ever stored sealed, resolve() for the notifier,
// rules' channel_ids kept true, and moving to a new SECRET_KEY.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "domain/channel.hpp"
#include "storage/alert_rule_repository.hpp"
#include "storage/audit_repository.hpp"
#include "storage/channel_repository.hpp"
#include "storage/channel_rows.hpp"
#include "storage_fixture.hpp"

using namespace sentinel;
using sentinel::testing::actor;
using sentinel::testing::test_clock;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

const std::string key_a(64, 'a');
const std::string key_b(64, 'b');

class Channels : public sentinel::testing::StorageTest {
 protected:
  crypto::SecretBox box_a{key_a};
  crypto::SecretBox box_b{key_b};

  storage::ChannelRepository repo(const crypto::SecretBox& box) { return {db(), box, test_clock}; }

  domain::Channel create(storage::ChannelRepository& r, const std::string& text) {
    auto in = domain::parse_channel_create(boost::json::parse(text));
    EXPECT_TRUE(in);
    auto c = r.create(*in, actor());
    EXPECT_TRUE(c) << (c ? "" : c.error().detail);
    return *c;
  }

  // Every text column of the channel's row, as stored.
  std::string raw_row(std::int64_t id) {
    return db().with_session([&](soci::session& sql) {
      std::string settings, secrets;
      long long key = id;
      sql << "SELECT settings, secrets FROM notification_channels WHERE id = :id", soci::use(key),
          soci::into(settings), soci::into(secrets);
      return settings + "\n" + secrets;
    });
  }

  domain::AlertRule rule_with(std::vector<std::int64_t> channel_ids, const std::string& name = "cpu") {
    domain::AlertRuleCreate r;
    r.name = name;
    r.metric_name = "cpu_usage_percent";
    r.promql = "up";
    r.threshold = 90;
    r.channel_ids = std::move(channel_ids);
    return storage::AlertRuleRepository(db(), test_clock).create(r, actor()).value();
  }
};

const char* const telegram =
    R"({"name": "ops", "type": "telegram", "settings": {"bot_token": "123:SECRET-TOKEN", "chat_id": "-100"},
        "default_for_severities": ["critical"]})";

}  // namespace

TEST_P(Channels, SecretsAreStoredSealedAndResolveOpensThem) {
  auto r = repo(box_a);
  auto c = create(r, telegram);
  EXPECT_EQ(c.settings.at("bot_token"), "***");
  const auto row = raw_row(c.id);
  EXPECT_EQ(row.find("SECRET-TOKEN"), std::string::npos) << row;
  EXPECT_THAT(row, HasSubstr("v1:"));

  auto resolved = r.resolve(c.id);
  ASSERT_TRUE(resolved) << resolved.error().detail;
  EXPECT_EQ(resolved->settings.at("bot_token"), "123:SECRET-TOKEN");
  EXPECT_EQ(resolved->settings.at("chat_id"), "-100");
  EXPECT_EQ(resolved->name, "ops");
  EXPECT_EQ(resolved->type, "telegram");
  EXPECT_EQ(r.resolve(c.id + 100).error().kind, core::ErrorKind::not_found);

  // Another SECRET_KEY reads the channel (without secrets) but cannot open them.
  auto other = repo(box_b);
  EXPECT_EQ(other.get(c.id).value().name, "ops");
  auto failed = other.resolve(c.id);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, core::ErrorKind::internal);
  EXPECT_THAT(failed.error().detail, HasSubstr("cannot decrypt"));
  EXPECT_EQ(failed.error().detail.find("SECRET-TOKEN"), std::string::npos);
}

TEST_P(Channels, CrudConflictsAndTheAuditLogMasksSecrets) {
  auto r = repo(box_a);
  auto c = create(r, telegram);
  auto in = domain::parse_channel_create(boost::json::parse(telegram)).value();
  EXPECT_EQ(r.create(in, actor()).error().kind, core::ErrorKind::conflict);
  EXPECT_EQ(r.list({}).size(), 1u);
  domain::ChannelFilter by_type;
  by_type.type = "slack";
  EXPECT_TRUE(r.list(by_type).empty());

  auto patch = domain::parse_channel_patch(boost::json::parse(R"({"settings": {"bot_token": "456:SECRET-NEW"}})"));
  auto updated = r.update(c.id, *patch, actor());
  ASSERT_TRUE(updated) << updated.error().detail;
  EXPECT_EQ(r.resolve(c.id)->settings.at("bot_token"), "456:SECRET-NEW");
  EXPECT_EQ(r.update(c.id + 100, *patch, actor()).error().kind, core::ErrorKind::not_found);

  domain::AuditFilter f;
  f.target_type = "channel";
  const auto entries = storage::AuditRepository(db(), test_clock).list(f);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "channel.update");
  EXPECT_EQ(boost::json::serialize(entries[0].changes), R"({"settings.bot_token":["***","***"]})");
  EXPECT_EQ(entries[1].action, "channel.create");
  for (const auto& e : entries) EXPECT_EQ(boost::json::serialize(e.changes).find("SECRET"), std::string::npos);

  EXPECT_TRUE(r.remove(c.id, actor()));
  EXPECT_EQ(r.remove(c.id, actor()).error().kind, core::ErrorKind::not_found);
  EXPECT_EQ(r.get(c.id).error().kind, core::ErrorKind::not_found);
}

TEST_P(Channels, UnreadableSecretsMakeAPatchThatKeepsThemAConflict) {
  auto first = repo(box_a);
  auto c = create(first, telegram);
  auto other = repo(box_b);
  auto rename = domain::parse_channel_patch(boost::json::parse(R"({"name": "renamed"})")).value();
  EXPECT_EQ(other.update(c.id, rename, actor()).error().kind, core::ErrorKind::conflict);
  auto replace = domain::parse_channel_patch(boost::json::parse(R"({"settings": {"bot_token": "new"}})")).value();
  ASSERT_TRUE(other.update(c.id, replace, actor()));
  EXPECT_EQ(other.resolve(c.id)->settings.at("bot_token"), "new");
}

TEST_P(Channels, DefaultsForASeverity) {
  auto r = repo(box_a);
  auto a = create(r, telegram);
  auto b = create(r, R"({"name": "pd", "type": "pagerduty", "settings": {"routing_key": "k"},
                         "default_for_severities": ["warning", "critical"]})");
  create(r, R"({"name": "none", "type": "pagerduty", "settings": {"routing_key": "k"}})");
  // What routing reads inside the evaluation's transaction (notification_routes.cpp).
  auto defaults_for = [&](const char* severity) {
    return db().with_session([&](soci::session& sql) { return storage::default_channel_ids(sql, severity); });
  };
  EXPECT_THAT(defaults_for("critical"), ElementsAre(a.id, b.id));
  EXPECT_THAT(defaults_for("warning"), ElementsAre(b.id));
  EXPECT_TRUE(defaults_for("info").empty());
  EXPECT_TRUE(defaults_for("crit").empty());
}

TEST_P(Channels, RulesNameOnlyExistingChannelsAndAChannelInUseIsNotDeleted) {
  auto r = repo(box_a);
  auto c = create(r, telegram);
  EXPECT_TRUE(r.missing({c.id}).empty());
  EXPECT_THAT(r.missing({c.id, c.id + 7}), ElementsAre(c.id + 7));

  storage::AlertRuleRepository rules(db(), test_clock);
  domain::AlertRuleCreate bad;
  bad.name = "x";
  bad.metric_name = "m";
  bad.promql = "up";
  bad.channel_ids = {c.id + 7};
  auto refused = rules.create(bad, actor());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, core::ErrorKind::invalid);
  EXPECT_EQ(refused.error().fields.at(0).loc, (std::vector<std::string>{"body", "channel_ids"}));

  auto rule = rule_with({c.id}, "High CPU");
  EXPECT_EQ(rules.get(rule.id)->channel_ids, std::vector<std::int64_t>{c.id});
  auto in_use = r.remove(c.id, actor());
  ASSERT_FALSE(in_use);
  EXPECT_EQ(in_use.error().kind, core::ErrorKind::conflict);
  EXPECT_EQ(in_use.error().detail, "channel is used by rules: High CPU (#" + std::to_string(rule.id) + ")");

  auto freed = rules.get(rule.id).value();
  freed.channel_ids.clear();
  ASSERT_TRUE(rules.update(freed, actor()));
  EXPECT_TRUE(r.remove(c.id, actor()));
  freed.channel_ids = {c.id};
  EXPECT_EQ(rules.update(freed, actor()).error().kind, core::ErrorKind::invalid);
}

TEST_P(Channels, TheNumberOfChannelsIsCapped) {
  db().with_session([](soci::session& sql) {
    sql << "BEGIN";
    for (std::size_t i = 0; i < domain::max_channels; ++i) {
      const std::string name = "c" + std::to_string(i);
      sql << "INSERT INTO notification_channels (name, type, settings, secrets, created_at, updated_at) "
             "VALUES (:n, 'ntfy', '{}', 'v1:', 1, 1)",
          soci::use(name);
    }
    sql << "COMMIT";
  });
  auto r = repo(box_a);
  auto in = domain::parse_channel_create(boost::json::parse(telegram)).value();
  auto refused = r.create(in, actor());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, core::ErrorKind::invalid);
  EXPECT_THAT(refused.error().fields.at(0).msg, HasSubstr("at most 1000 channels"));
}

TEST_P(Channels, RekeyMovesEverySecretToTheNewKeyAllOrNothing) {
  auto old_repo = repo(box_a);
  auto c1 = create(old_repo, telegram);
  auto c2 = create(old_repo, R"({"name": "pd", "type": "pagerduty", "settings": {"routing_key": "SECRET-RK"}})");

  auto report = storage::rekey_channels(db(), box_a, box_b, domain::AuditActor::cli(), test_clock());
  ASSERT_TRUE(report) << report.error().detail;
  EXPECT_EQ(report->rekeyed, 2u);
  auto new_repo = repo(box_b);
  EXPECT_EQ(new_repo.resolve(c1.id)->settings.at("bot_token"), "123:SECRET-TOKEN");
  EXPECT_EQ(new_repo.resolve(c2.id)->settings.at("routing_key"), "SECRET-RK");
  EXPECT_FALSE(old_repo.resolve(c1.id)) << "the old key no longer opens them";

  // Again: nothing to do, nothing broken.
  report = storage::rekey_channels(db(), box_a, box_b, domain::AuditActor::cli(), test_clock());
  ASSERT_TRUE(report);
  EXPECT_EQ(report->rekeyed, 0u);
  EXPECT_EQ(report->already_current, 2u);

  // A key that opens nothing: refused, and nothing changes.
  crypto::SecretBox wrong(std::string(64, 'w')), newer(std::string(64, 'n'));
  auto refused = storage::rekey_channels(db(), wrong, newer, domain::AuditActor::cli(), test_clock());
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().detail, HasSubstr("neither"));
  EXPECT_TRUE(new_repo.resolve(c1.id));

  domain::AuditFilter f;
  f.action = "channel.rekey";
  EXPECT_EQ(storage::AuditRepository(db(), test_clock).list(f).size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Dialects, Channels, ::testing::Values(storage::Dialect::sqlite, storage::Dialect::postgresql),
                         sentinel::testing::dialect_name);
