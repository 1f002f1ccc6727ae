#include "storage/api_token_repository.hpp"

#include <soci/soci.h>

#include "domain/json.hpp"
#include "storage/audit_repository.hpp"
#include "storage/sql_support.hpp"

namespace sentinel::storage {

namespace {

constexpr const char* columns = "id, user_id, name, role, created_at, expires_at, last_used_at, revoked_at";

StoredApiToken read_token(const soci::row& r) {
  StoredApiToken t;
  t.token.id = sql::get_i64(r, 0);
  t.token.user_id = sql::get_i64(r, 1);
  t.token.name = sql::get_str(r, 2);
  t.token.role = domain::parse_role(sql::get_str(r, 3)).value_or(domain::Role::viewer);
  t.token.created_at = sql::get_time(r, 4);
  t.token.expires_at = sql::get_opt_time(r, 5);
  t.token.last_used_at = sql::get_opt_time(r, 6);
  t.revoked = sql::get_opt_i64(r, 7).has_value();
  return t;
}

std::optional<StoredApiToken> fetch(soci::session& sql, long long id) {
  soci::row r;
  sql << "SELECT " << columns << " FROM api_tokens WHERE id = :id", soci::use(id), soci::into(r);
  if (!sql.got_data()) return std::nullopt;
  return read_token(r);
}

}  // namespace

domain::ApiToken ApiTokenRepository::create(std::int64_t user_id, const domain::ApiTokenCreate& in,
                                            domain::Role role, const std::string& token_hash,
                                            const domain::AuditActor& actor) {
  return db_.with_session([&](soci::session& sql) {
    sql::WriteTransaction tx(sql, db_.dialect());
    const auto now = clock_();
    const long long at = core::to_unix(now), owner = user_id;
    auto expires = sql::nullable_time(in.expires_at);
    const std::string role_text(domain::to_string(role));
    long long id = 0;
    sql << "INSERT INTO api_tokens (user_id, name, role, token_hash, created_at, expires_at) "
           "VALUES (:u, :n, :r, :h, :c, :e) RETURNING id",
        soci::use(owner), soci::use(in.name), soci::use(role_text), soci::use(token_hash), soci::use(at),
        soci::use(expires.value, expires.ind), soci::into(id);
    auto token = fetch(sql, id)->token;
    auto after = domain::to_json(token).as_object();
    record_audit(sql, actor, "token.create", "token", std::to_string(id), domain::audit_changes({}, after), now);
    tx.commit();
    return token;
  });
}

std::vector<domain::ApiToken> ApiTokenRepository::list(std::int64_t user_id) {
  return db_.with_session([&](soci::session& sql) {
    std::vector<domain::ApiToken> out;
    long long owner = user_id;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << columns
                     << " FROM api_tokens WHERE user_id = :u AND revoked_at IS NULL ORDER BY id DESC",
         soci::use(owner));
    for (const auto& r : rows) out.push_back(read_token(r).token);
    return out;
  });
}

core::Result<domain::ApiToken> ApiTokenRepository::get(std::int64_t id) {
  auto found = db_.with_session([&](soci::session& sql) { return fetch(sql, id); });
  if (!found || found->revoked) return core::fail(core::Error::not_found("Token not found"));
  return found->token;
}

core::Result<void> ApiTokenRepository::revoke(std::int64_t id, const domain::AuditActor& actor) {
  return db_.with_session([&](soci::session& sql) -> core::Result<void> {
    sql::WriteTransaction tx(sql, db_.dialect());
    auto current = fetch(sql, id);
    if (!current || current->revoked) return core::fail(core::Error::not_found("Token not found"));
    const auto now = clock_();
    const long long at = core::to_unix(now), key = id;
    sql << "UPDATE api_tokens SET revoked_at = :t WHERE id = :id", soci::use(at), soci::use(key);
    record_audit(sql, actor, "token.delete", "token", std::to_string(id),
                 domain::audit_changes(domain::to_json(current->token).as_object(), {}), now);
    tx.commit();
    return {};
  });
}

std::optional<StoredApiToken> ApiTokenRepository::find_by_hash(const std::string& token_hash) {
  return db_.with_session([&](soci::session& sql) -> std::optional<StoredApiToken> {
    soci::row r;
    sql << "SELECT " << columns << " FROM api_tokens WHERE token_hash = :h", soci::use(token_hash), soci::into(r);
    if (!sql.got_data()) return std::nullopt;
    return read_token(r);
  });
}

void ApiTokenRepository::touch(std::int64_t id, core::Timestamp at) {
  db_.with_session([&](soci::session& sql) {
    const long long when = core::to_unix(at), key = id;
    sql << "UPDATE api_tokens SET last_used_at = :t WHERE id = :id", soci::use(when), soci::use(key);
  });
}

}  // namespace sentinel::storage
