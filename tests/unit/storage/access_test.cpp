// Roles, API tokens and the audit log in the database (product.md §7), on
// SQLite and PostgreSQL.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <boost/json/serialize.hpp>

#include "domain/json.hpp"
#include "storage/api_token_repository.hpp"
#include "storage/audit_repository.hpp"
#include "storage/migrator.hpp"
#include "storage/server_repository.hpp"
#include "storage/user_repository.hpp"
#include "storage_fixture.hpp"

using namespace sentinel;
using sentinel::testing::actor;
using sentinel::testing::test_clock;

namespace {

class Access : public sentinel::testing::StorageTest {};

std::vector<domain::AuditEntry> audit_of(storage::Database& db, const std::string& action) {
  domain::AuditFilter f;
  f.action = action;
  return storage::AuditRepository(db, test_clock).list(f);
}

}  // namespace

// Users made before roles existed keep working: superusers become admins,
// everyone else an editor.
TEST_P(Access, MigrationGivesExistingUsersTheirRoles) {
  // Back to the schema before 0002, with users in it, then migrate again.
  db().with_session([](soci::session& sql) {
    sql << "DROP TABLE audit_log";
    sql << "DROP TABLE api_tokens";
    sql << "ALTER TABLE users DROP COLUMN role";
    sql << "DELETE FROM schema_migrations WHERE version LIKE '0002%'";
    sql << "INSERT INTO users (email, password_hash, is_active, is_superuser, token_version, created_at, updated_at) "
           "VALUES ('root@example.com', 'h', 1, 1, 0, 1, 1)";
    sql << "INSERT INTO users (email, password_hash, is_active, is_superuser, token_version, created_at, updated_at) "
           "VALUES ('dev@example.com', 'h', 1, 0, 0, 1, 1)";
  });
  auto applied = storage::migrate(db());
  ASSERT_EQ(applied.size(), 1u);
  storage::UserRepository users(db(), test_clock);
  EXPECT_EQ(users.find_by_email("root@example.com")->role, domain::Role::admin);
  EXPECT_TRUE(users.find_by_email("root@example.com")->is_superuser());
  EXPECT_EQ(users.find_by_email("dev@example.com")->role, domain::Role::editor);
  EXPECT_FALSE(users.find_by_email("dev@example.com")->is_superuser());
}

TEST_P(Access, RoleChangesKeepIsSuperuserInStepAndADemotionEndsSessions) {
  storage::UserRepository users(db(), test_clock);
  auto u = users.create("bob@example.com", "h", true, domain::Role::viewer, actor()).value();
  EXPECT_EQ(u.role, domain::Role::viewer);
  EXPECT_FALSE(u.is_superuser());
  storage::UserChanges promote;
  promote.is_superuser = true;
  auto admin = users.update(u.id, promote, actor()).value();
  EXPECT_EQ(admin.role, domain::Role::admin);
  EXPECT_EQ(admin.token_version, u.token_version) << "a promotion ends no session";
  storage::UserChanges demote;
  demote.role = domain::Role::viewer;
  auto viewer = users.update(u.id, demote, actor()).value();
  EXPECT_FALSE(viewer.is_superuser());
  EXPECT_EQ(viewer.token_version, admin.token_version + 1) << "a demotion ends the sessions of the higher role";
}

TEST_P(Access, TokensAreStoredByHashAndRevokedForGood) {
  storage::UserRepository users(db(), test_clock);
  auto owner = users.create("ci@example.com", "h", true, domain::Role::editor, actor()).value();
  storage::ApiTokenRepository tokens(db(), test_clock);
  domain::ApiTokenCreate in;
  in.name = "deploy script";
  auto t = tokens.create(owner.id, in, domain::Role::viewer, "hash-of-secret", actor(owner.id));
  EXPECT_EQ(t.role, domain::Role::viewer);
  EXPECT_EQ(tokens.list(owner.id).size(), 1u);
  auto found = tokens.find_by_hash("hash-of-secret");
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->revoked);
  EXPECT_FALSE(tokens.find_by_hash("another"));

  ASSERT_TRUE(tokens.revoke(t.id, actor(owner.id)));
  EXPECT_TRUE(tokens.find_by_hash("hash-of-secret")->revoked);
  EXPECT_TRUE(tokens.list(owner.id).empty());
  EXPECT_EQ(tokens.revoke(t.id, actor(owner.id)).error().kind, core::ErrorKind::not_found);
  // Deleting the owner deletes its tokens.
  auto t2 = tokens.create(owner.id, in, domain::Role::viewer, "second", actor(owner.id));
  ASSERT_TRUE(users.remove(owner.id, actor()));
  EXPECT_FALSE(tokens.find_by_hash("second"));
  EXPECT_EQ(tokens.get(t2.id).error().kind, core::ErrorKind::not_found);
}

TEST_P(Access, EveryChangeIsAuditedWithItsFieldsAndSecretsMasked) {
  storage::ServerRepository servers(db(), test_clock);
  domain::ServerCreate s;
  s.name = "web-1";
  s.job_name = "node";
  s.instance = "10.0.0.1:9100";
  auto who = actor(7);
  who.via = "token";
  who.token_id = 3;
  auto created = servers.create(s, who).value();
  domain::ServerPatch p;
  p.description = std::optional<std::string>("front");
  ASSERT_TRUE(servers.update(created.id, p, who));
  ASSERT_TRUE(servers.remove(created.id, who));

  auto creates = audit_of(db(), "server.create");
  ASSERT_EQ(creates.size(), 1u);
  EXPECT_EQ(creates[0].actor.actor_id, 7);
  EXPECT_EQ(creates[0].actor.via, "token");
  EXPECT_EQ(creates[0].actor.token_id, 3);
  EXPECT_EQ(creates[0].target_type, "server");
  EXPECT_EQ(creates[0].target_id, std::to_string(created.id));
  EXPECT_EQ(creates[0].changes.at("name").as_array().at(1).as_string(), "web-1");
  auto updates = audit_of(db(), "server.update");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].changes.size(), 1u) << "only the changed field";
  EXPECT_TRUE(updates[0].changes.at("description").as_array().at(0).is_null());
  EXPECT_EQ(updates[0].changes.at("description").as_array().at(1).as_string(), "front");
  EXPECT_EQ(audit_of(db(), "server.delete").size(), 1u);

  storage::UserRepository users(db(), test_clock);
  auto u = users.create("eve@example.com", "hash", true, domain::Role::editor, actor()).value();
  storage::UserChanges pw;
  pw.password_hash = "$argon2id$secret";
  ASSERT_TRUE(users.update(u.id, pw, actor()));
  auto pw_change = audit_of(db(), "user.update").at(0);
  EXPECT_EQ(pw_change.changes.at("password").as_array().at(1).as_string(), "***");
  for (const auto& e : storage::AuditRepository(db(), test_clock).list({}))
    EXPECT_EQ(boost::json::serialize(e.changes).find("argon2"), std::string::npos) << e.action;
}

// The entry is written in the change's transaction: a change that fails
// (here a duplicate name) leaves no entry.
TEST_P(Access, AFailedChangeLeavesNoAuditEntry) {
  storage::ServerRepository servers(db(), test_clock);
  domain::ServerCreate s;
  s.name = "dup";
  s.job_name = "node";
  s.instance = "10.0.0.1:9100";
  ASSERT_TRUE(servers.create(s, actor()));
  auto again = servers.create(s, actor());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, core::ErrorKind::conflict);
  EXPECT_EQ(audit_of(db(), "server.create").size(), 1u);
  domain::ServerPatch p;
  p.name = "dup";
  EXPECT_FALSE(servers.update(999, p, actor()));
  EXPECT_TRUE(audit_of(db(), "server.update").empty());
}

TEST_P(Access, AuditListFiltersAndPages) {
  storage::AuditRepository audit(db(), test_clock);
  for (int i = 0; i < 5; ++i) audit.record(actor(i % 2), "auth.login", "user", std::to_string(i % 2));
  audit.record(actor(), "auth.login_failed", "user", std::nullopt);
  EXPECT_EQ(audit.list({}).size(), 6u);
  EXPECT_EQ(audit.list({}).front().action, "auth.login_failed") << "newest first";
  domain::AuditFilter by_actor;
  by_actor.actor_id = 1;
  EXPECT_EQ(audit.list(by_actor).size(), 2u);
  domain::AuditFilter by_target;
  by_target.target_type = "user";
  by_target.target_id = "0";
  EXPECT_EQ(audit.list(by_target).size(), 3u);
  domain::AuditFilter page;
  page.skip = 4;
  page.limit = 10;
  EXPECT_EQ(audit.list(page).size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Dialects, Access, ::testing::Values(storage::Dialect::sqlite, storage::Dialect::postgresql),
                         sentinel::testing::dialect_name);
