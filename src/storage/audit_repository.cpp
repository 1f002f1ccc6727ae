#include "storage/audit_repository.hpp"

#include <soci/soci.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "storage/sql_support.hpp"

namespace sentinel::storage {

namespace {

constexpr const char* columns =
    "id, at, actor_id, actor_email, via, token_id, action, target_type, target_id, client_address, request_id, "
    "changes";

domain::AuditEntry read_entry(const soci::row& r) {
  domain::AuditEntry e;
  e.id = sql::get_i64(r, 0);
  e.at = sql::get_time(r, 1);
  e.actor.actor_id = sql::get_opt_i64(r, 2);
  e.actor.actor_email = sql::get_str(r, 3);
  e.actor.via = sql::get_str(r, 4);
  e.actor.token_id = sql::get_opt_i64(r, 5);
  e.action = sql::get_str(r, 6);
  e.target_type = sql::get_str(r, 7);
  e.target_id = sql::get_opt_str(r, 8);
  e.actor.client_address = sql::get_str(r, 9);
  e.actor.request_id = sql::get_str(r, 10);
  boost::system::error_code ec;
  auto changes = boost::json::parse(sql::get_str(r, 11), ec);
  if (!ec && changes.is_object()) e.changes = std::move(changes.as_object());
  return e;
}

}  // namespace

void record_audit(soci::session& sql, const domain::AuditActor& actor, std::string_view action,
                  std::string_view target_type, std::optional<std::string> target_id,
                  const boost::json::object& changes, core::Timestamp at) {
  const long long when = core::to_unix(at);
  sql::Nullable<long long> actor_id(sql::nullable_i64(actor.actor_id)), token_id(sql::nullable_i64(actor.token_id));
  sql::Nullable<std::string> target(target_id);
  const std::string action_text(action), type_text(target_type), changes_text = boost::json::serialize(changes);
  sql << "INSERT INTO audit_log (at, actor_id, actor_email, via, token_id, action, target_type, target_id, "
         "client_address, request_id, changes) VALUES (:at, :aid, :ae, :via, :tid, :act, :tt, :ti, :ca, :rid, :ch)",
      soci::use(when), soci::use(actor_id.value, actor_id.ind), soci::use(actor.actor_email), soci::use(actor.via),
      soci::use(token_id.value, token_id.ind), soci::use(action_text), soci::use(type_text),
      soci::use(target.value, target.ind), soci::use(actor.client_address), soci::use(actor.request_id),
      soci::use(changes_text);
}

void AuditRepository::record(const domain::AuditActor& actor, std::string_view action, std::string_view target_type,
                             std::optional<std::string> target_id, const boost::json::object& changes) {
  db_.with_session([&](soci::session& sql) {
    record_audit(sql, actor, action, target_type, std::move(target_id), changes, clock_());
  });
}

std::vector<domain::AuditEntry> AuditRepository::list(const domain::AuditFilter& f) {
  return db_.with_session([&](soci::session& sql) {
    std::vector<domain::AuditEntry> out;
    const int has_actor = f.actor_id ? 1 : 0, has_action = f.action ? 1 : 0, has_type = f.target_type ? 1 : 0,
              has_target = f.target_id ? 1 : 0, has_since = f.since ? 1 : 0;
    const long long actor = f.actor_id.value_or(0), since = f.since ? core::to_unix(*f.since) : 0;
    const std::string action = f.action.value_or(""), type = f.target_type.value_or(""),
                      target = f.target_id.value_or("");
    long long skip = f.skip, limit = f.limit;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << columns
                     << " FROM audit_log WHERE (:ha = 0 OR actor_id = :a) AND (:hac = 0 OR action = :ac) AND "
                        "(:ht = 0 OR target_type = :t) AND (:hti = 0 OR target_id = :ti) AND (:hs = 0 OR at >= :s) "
                        "ORDER BY id DESC LIMIT :l OFFSET :o",
         soci::use(has_actor), soci::use(actor), soci::use(has_action), soci::use(action), soci::use(has_type),
         soci::use(type), soci::use(has_target), soci::use(target), soci::use(has_since), soci::use(since),
         soci::use(limit), soci::use(skip));
    for (const auto& r : rows) out.push_back(read_entry(r));
    return out;
  });
}

}  // namespace sentinel::storage
