#include "storage/silence_repository.hpp"

#include <soci/soci.h>

#include "domain/json.hpp"
#include "storage/audit_repository.hpp"
#include "storage/sql_support.hpp"

namespace sentinel::storage {

namespace {

constexpr const char* columns = "id, server_id, rule_id, starts_at, ends_at, comment, created_by, created_at";

domain::Silence read_silence(const soci::row& r) {
  domain::Silence s;
  s.id = sql::get_i64(r, 0);
  s.server_id = sql::get_opt_i64(r, 1);
  s.rule_id = sql::get_opt_i64(r, 2);
  s.starts_at = sql::get_time(r, 3);
  s.ends_at = sql::get_time(r, 4);
  s.comment = sql::get_str(r, 5);
  s.created_by = sql::get_opt_i64(r, 6);
  s.created_at = sql::get_time(r, 7);
  return s;
}

std::optional<domain::Silence> fetch(soci::session& sql, long long id) {
  soci::row r;
  sql << "SELECT " << columns << " FROM silences WHERE id = :id", soci::use(id), soci::into(r);
  if (!sql.got_data()) return std::nullopt;
  return read_silence(r);
}

}  // namespace

core::Result<domain::Silence> SilenceRepository::create(const domain::SilenceCreate& in,
                                                        const domain::AuditActor& actor) {
  const std::optional<std::int64_t> created_by = actor.actor_id;
  std::optional<domain::Silence> created;
  db_.with_session([&](soci::session& sql) {
    sql::WriteTransaction tx(sql, db_.dialect());
    const auto now = clock_();
    auto server = sql::nullable_i64(in.server_id), rule = sql::nullable_i64(in.rule_id),
         by = sql::nullable_i64(created_by);
    const long long starts = core::to_unix(in.starts_at.value_or(now)), ends = core::to_unix(in.ends_at),
                    created_at = core::to_unix(now);
    long long id = 0;
    sql << "INSERT INTO silences (server_id, rule_id, starts_at, ends_at, comment, created_by, created_at) "
           "VALUES (:server, :rule, :starts, :ends, :comment, :by, :created) RETURNING id",
        soci::use(server.value, server.ind), soci::use(rule.value, rule.ind), soci::use(starts), soci::use(ends),
        soci::use(in.comment), soci::use(by.value, by.ind), soci::use(created_at), soci::into(id);
    created = fetch(sql, id);
    record_audit(sql, actor, "silence.create", "silence", std::to_string(id),
                 domain::audit_changes({}, domain::to_json(*created).as_object()), now);
    tx.commit();
  });
  return *created;
}

core::Result<domain::Silence> SilenceRepository::get(std::int64_t id) {
  std::optional<domain::Silence> s;
  db_.with_session([&](soci::session& sql) { s = fetch(sql, id); });
  if (!s) return core::fail(core::Error::not_found("Silence not found"));
  return *s;
}

std::vector<domain::Silence> SilenceRepository::list(const domain::SilenceFilter& f) {
  std::vector<domain::Silence> out;
  db_.with_session([&](soci::session& sql) {
    const int active_only = f.active_only ? 1 : 0;
    const long long now = core::to_unix(clock_()), limit = f.limit, skip = f.skip;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << columns
                     << " FROM silences WHERE (:ao = 0 OR (starts_at <= :n1 AND ends_at > :n2)) "
                        "ORDER BY id DESC LIMIT :l OFFSET :o",
         soci::use(active_only), soci::use(now), soci::use(now), soci::use(limit), soci::use(skip));
    for (const auto& r : rows) out.push_back(read_silence(r));
  });
  return out;
}

core::Result<void> SilenceRepository::remove(std::int64_t id, const domain::AuditActor& actor) {
  bool found = false;
  db_.with_session([&](soci::session& sql) {
    sql::WriteTransaction tx(sql, db_.dialect());
    long long key = id;
    const auto before = fetch(sql, key);
    if (!before) return;
    soci::statement st = (sql.prepare << "DELETE FROM silences WHERE id = :id", soci::use(key));
    st.execute(true);
    found = st.get_affected_rows() > 0;
    record_audit(sql, actor, "silence.delete", "silence", std::to_string(id),
                 domain::audit_changes(domain::to_json(*before).as_object(), {}), clock_());
    tx.commit();
  });
  if (!found) return core::fail(core::Error::not_found("Silence not found"));
  return {};
}

}  // namespace sentinel::storage
