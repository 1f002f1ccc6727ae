#include "storage/server_repository.hpp"

#include <soci/soci.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "domain/json.hpp"
#include "storage/audit_repository.hpp"
#include "storage/notification_rows.hpp"
#include "storage/sql_support.hpp"

namespace sentinel::storage {

namespace {

constexpr const char* columns =
    "id, name, job_name, instance, is_active, description, cadvisor_instance, created_at, updated_at";

domain::Server read_server(const soci::row& r) {
  domain::Server s;
  s.id = sql::get_i64(r, 0);
  s.name = sql::get_str(r, 1);
  s.job_name = sql::get_str(r, 2);
  s.instance = sql::get_str(r, 3);
  s.is_active = sql::get_bool(r, 4);
  s.description = sql::get_opt_str(r, 5);
  s.cadvisor_instance = sql::get_opt_str(r, 6);
  s.created_at = sql::get_time(r, 7);
  s.updated_at = sql::get_time(r, 8);
  return s;
}

std::optional<domain::Server> fetch(soci::session& sql, long long id) {
  soci::row r;
  sql << "SELECT " << columns << " FROM servers WHERE id = :id", soci::use(id), soci::into(r);
  if (!sql.got_data()) return std::nullopt;
  return read_server(r);
}

core::Error duplicate_name() { return core::Error::conflict("Server with this name already exists"); }

// Writes every stored field of `s` (insert when s.id == 0); conflict on a
// duplicate name.
core::Result<std::int64_t> store(soci::session& sql, const domain::Server& s, long long now) {
  sql::Nullable<std::string> description(s.description), cadvisor(s.cadvisor_instance);
  const int active = s.is_active ? 1 : 0;
  long long id = s.id;
  try {
    if (id == 0) {
      sql << "INSERT INTO servers (name, job_name, instance, is_active, description, cadvisor_instance, created_at, "
             "updated_at) VALUES (:n, :j, :i, :a, :d, :c, :t, :u) RETURNING id",
          soci::use(s.name), soci::use(s.job_name), soci::use(s.instance), soci::use(active),
          soci::use(description.value, description.ind), soci::use(cadvisor.value, cadvisor.ind), soci::use(now),
          soci::use(now), soci::into(id);
    } else {
      sql << "UPDATE servers SET name = :n, job_name = :j, instance = :i, is_active = :a, description = :d, "
             "cadvisor_instance = :c, updated_at = :u WHERE id = :id",
          soci::use(s.name), soci::use(s.job_name), soci::use(s.instance), soci::use(active),
          soci::use(description.value, description.ind), soci::use(cadvisor.value, cadvisor.ind), soci::use(now),
          soci::use(id);
    }
  } catch (const soci::soci_error& e) {
    if (sql::is_unique_violation(e)) return core::fail(duplicate_name());
    throw;
  }
  return id;
}

}  // namespace

core::Result<domain::Server> ServerRepository::create(const domain::ServerCreate& in,
                                                      const domain::AuditActor& actor) {
  return db_.with_session([&](soci::session& sql) -> core::Result<domain::Server> {
    sql::WriteTransaction tx(sql, db_.dialect());
    auto created = insert_server(sql, in, actor);
    if (!created) return core::fail(created.error());
    tx.commit();
    return created;
  });
}

core::Result<domain::Server> ServerRepository::insert_server(soci::session& sql, const domain::ServerCreate& in,
                                                             const domain::AuditActor& actor) {
  domain::Server s;
  s.name = in.name;
  s.job_name = in.job_name;
  s.instance = in.instance;
  s.is_active = in.is_active;
  s.description = in.description;
  s.cadvisor_instance = in.cadvisor_instance;
  const auto now = clock_();
  auto id = store(sql, s, core::to_unix(now));
  if (!id) return core::fail(id.error());
  auto created = *fetch(sql, *id);
  record_audit(sql, actor, "server.create", "server", std::to_string(*id),
               domain::audit_changes({}, domain::to_json(created).as_object()), now);
  return created;
}

core::Result<ServerRepository::CreateOutcome> ServerRepository::create_unless_registered(
    const domain::ServerCreate& in, const domain::AuditActor& actor) {
  return db_.with_session([&](soci::session& sql) -> core::Result<CreateOutcome> {
    sql::WriteTransaction tx(sql, db_.dialect());
    if (db_.dialect() == Dialect::postgresql) {
      // One discovery of a job at a time across processes, until commit.
      const std::string key = "sentinel.discovery:" + in.job_name;
      sql << "SELECT pg_advisory_xact_lock(hashtext(:k))", soci::use(key);
    }
    long long existing = 0;
    sql << "SELECT id FROM servers WHERE job_name = :j AND instance = :i ORDER BY id LIMIT 1", soci::use(in.job_name),
        soci::use(in.instance), soci::into(existing);
    if (sql.got_data()) return CreateOutcome{*fetch(sql, existing), false};
    auto created = insert_server(sql, in, actor);
    if (!created) return core::fail(created.error());
    tx.commit();
    return CreateOutcome{std::move(*created), true};
  });
}

std::optional<domain::Server> ServerRepository::set_active(std::int64_t id, bool active,
                                                           const domain::AuditActor& actor) {
  return db_.with_session([&](soci::session& sql) -> std::optional<domain::Server> {
    sql::WriteTransaction tx(sql, db_.dialect());
    const auto now = clock_();
    const long long key = id, at = core::to_unix(now);
    const int to = active ? 1 : 0, from = active ? 0 : 1;
    soci::statement st = (sql.prepare << "UPDATE servers SET is_active = :a, updated_at = :u WHERE id = :id AND "
                                         "is_active = :f",
                          soci::use(to), soci::use(at), soci::use(key), soci::use(from));
    st.execute(true);
    if (st.get_affected_rows() == 0) return std::nullopt;
    auto updated = fetch(sql, id);
    boost::json::object changes;
    changes["is_active"] = boost::json::array{!active, active};
    record_audit(sql, actor, "server.update", "server", std::to_string(id), changes, now);
    tx.commit();
    return updated;
  });
}

bool ServerRepository::last_changed_via(std::int64_t id, std::string_view via) {
  return db_.with_session([&](soci::session& sql) {
    const std::string target = std::to_string(id);
    std::string action, by;
    sql << "SELECT action, via FROM audit_log WHERE target_type = 'server' AND target_id = :t ORDER BY id DESC LIMIT 1",
        soci::use(target), soci::into(action), soci::into(by);
    return sql.got_data() && action == "server.update" && by == via;
  });
}

core::Result<domain::Server> ServerRepository::get(std::int64_t id) {
  std::optional<domain::Server> s;
  db_.with_session([&](soci::session& sql) { s = fetch(sql, id); });
  if (!s) return core::fail(core::Error::not_found("Server not found"));
  return *s;
}

bool ServerRepository::exists(std::int64_t id) {
  int n = 0;
  db_.with_session([&](soci::session& sql) {
    long long key = id;
    sql << "SELECT COUNT(*) FROM servers WHERE id = :id", soci::use(key), soci::into(n);
  });
  return n > 0;
}

std::vector<domain::Server> ServerRepository::list(const domain::ServerFilter& f) {
  std::vector<domain::Server> out;
  db_.with_session([&](soci::session& sql) {
    const int has_active = f.is_active ? 1 : 0, active = f.is_active.value_or(false) ? 1 : 0;
    long long skip = f.skip, limit = f.limit;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << columns
                     << " FROM servers WHERE (:ha = 0 OR is_active = :a) ORDER BY id LIMIT :l OFFSET :s",
         soci::use(has_active), soci::use(active), soci::use(limit), soci::use(skip));
    for (const auto& r : rows) out.push_back(read_server(r));
  });
  return out;
}

core::Result<domain::Server> ServerRepository::update(std::int64_t id, const domain::ServerPatch& p,
                                                      const domain::AuditActor& actor) {
  return db_.with_session([&](soci::session& sql) -> core::Result<domain::Server> {
    sql::WriteTransaction tx(sql, db_.dialect());
    auto current = fetch(sql, id);
    if (!current) return core::fail(core::Error::not_found("Server not found"));
    auto s = *current;
    if (p.name) s.name = *p.name;
    if (p.job_name) s.job_name = *p.job_name;
    if (p.instance) s.instance = *p.instance;
    if (p.is_active) s.is_active = *p.is_active;
    if (p.description) s.description = *p.description;
    if (p.cadvisor_instance) s.cadvisor_instance = *p.cadvisor_instance;
    const auto now = clock_();
    auto stored = store(sql, s, core::to_unix(now));
    if (!stored) return core::fail(stored.error());
    auto updated = *fetch(sql, id);
    auto before = domain::to_json(*current).as_object(), after = domain::to_json(updated).as_object();
    before.erase("updated_at");
    after.erase("updated_at");
    record_audit(sql, actor, "server.update", "server", std::to_string(id), domain::audit_changes(before, after), now);
    tx.commit();
    return updated;
  });
}

core::Result<void> ServerRepository::remove(std::int64_t id, const domain::AuditActor& actor) {
  bool found = false;
  db_.with_session([&](soci::session& sql) {
    long long key = id;
    // One transaction: the rules go with the server (also by FK cascade);
    // events stay as history and keep their server_id and rule_id.
    sql::WriteTransaction tx(sql, db_.dialect());
    const long long now = core::to_unix(clock_());
    std::vector<long long> rules;
    {
      soci::rowset<soci::row> rows = (sql.prepare << "SELECT id FROM alert_rules WHERE server_id = :id", soci::use(key));
      for (const auto& r : rows) rules.push_back(sql::get_i64(r, 0));
    }
    for (long long rule : rules) end_alerts_of_rule(sql, rule, now, "server deleted", routing_);
    sql << "DELETE FROM alert_rules WHERE server_id = :id", soci::use(key);
    soci::statement st = (sql.prepare << "DELETE FROM servers WHERE id = :id", soci::use(key));
    st.execute(true);
    found = st.get_affected_rows() > 0;
    if (!found) return;
    record_audit(sql, actor, "server.delete", "server", std::to_string(id), {}, core::from_unix(now));
    tx.commit();
  });
  if (!found) return core::fail(core::Error::not_found("Server not found"));
  return {};
}

}  // namespace sentinel::storage
