#include "storage/user_repository.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <boost/json/array.hpp>

#include "domain/json.hpp"
#include "storage/audit_repository.hpp"
#include "storage/sql_support.hpp"

namespace sentinel::storage {

namespace {

constexpr const char* columns =
    "id, email, password_hash, is_active, is_superuser, token_version, created_at, updated_at, role";

domain::User read_user(const soci::row& r) {
  domain::User u;
  u.id = sql::get_i64(r, 0);
  u.email = sql::get_str(r, 1);
  u.password_hash = sql::get_str(r, 2);
  u.is_active = sql::get_bool(r, 3);
  // is_superuser (column 4) is kept in step with role for older readers of the
  // table; role is the truth, and a row without one falls back to the flag.
  const bool superuser_column = sql::get_bool(r, 4);
  u.token_version = sql::get_i64(r, 5);
  u.created_at = sql::get_time(r, 6);
  u.updated_at = sql::get_time(r, 7);
  u.role = domain::parse_role(sql::get_str(r, 8)).value_or(domain::default_role(superuser_column));
  return u;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::optional<domain::User> fetch(soci::session& sql, long long id) {
  soci::row r;
  sql << "SELECT " << columns << " FROM users WHERE id = :id", soci::use(id), soci::into(r);
  if (!sql.got_data()) return std::nullopt;
  return read_user(r);
}

}  // namespace

core::Result<domain::User> UserRepository::create(const std::string& email, const std::string& password_hash,
                                                  bool is_active, domain::Role role, const domain::AuditActor& actor) {
  return db_.with_session([&](soci::session& sql) -> core::Result<domain::User> {
    sql::WriteTransaction tx(sql, db_.dialect());
    const auto now = clock_();
    const long long at = core::to_unix(now);
    const std::string normalized = lower(email), role_text(domain::to_string(role));
    const int active = is_active ? 1 : 0, super = role == domain::Role::admin ? 1 : 0;
    long long id = 0;
    try {
      sql << "INSERT INTO users (email, password_hash, is_active, is_superuser, role, token_version, created_at, "
             "updated_at) VALUES (:e, :h, :a, :s, :r, 0, :c, :u) RETURNING id",
          soci::use(normalized), soci::use(password_hash), soci::use(active), soci::use(super), soci::use(role_text),
          soci::use(at), soci::use(at), soci::into(id);
    } catch (const soci::soci_error& e) {
      if (!sql::is_unique_violation(e)) throw;
      return core::fail(core::Error::conflict("Email already registered"));
    }
    auto user = *fetch(sql, id);
    auto after = domain::to_json(user).as_object();
    after["password"] = "***";
    record_audit(sql, actor, "user.create", "user", std::to_string(id), domain::audit_changes({}, after), now);
    tx.commit();
    return user;
  });
}

core::Result<domain::User> UserRepository::get(std::int64_t id) {
  std::optional<domain::User> u;
  db_.with_session([&](soci::session& sql) { u = fetch(sql, id); });
  if (!u) return core::fail(core::Error::not_found("User not found"));
  return *u;
}

std::optional<domain::User> UserRepository::find_by_email(const std::string& email) {
  std::optional<domain::User> u;
  db_.with_session([&](soci::session& sql) {
    soci::row r;
    const std::string normalized = lower(email);
    sql << "SELECT " << columns << " FROM users WHERE email = :e", soci::use(normalized), soci::into(r);
    if (sql.got_data()) u = read_user(r);
  });
  return u;
}

std::vector<domain::User> UserRepository::list(std::int64_t skip, std::int64_t limit) {
  std::vector<domain::User> out;
  db_.with_session([&](soci::session& sql) {
    long long s = skip, l = limit;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << columns << " FROM users ORDER BY id LIMIT :l OFFSET :s", soci::use(l),
         soci::use(s));
    for (const auto& r : rows) out.push_back(read_user(r));
  });
  return out;
}

std::int64_t UserRepository::count() {
  long long n = 0;
  db_.with_session([&](soci::session& sql) { sql << "SELECT COUNT(*) FROM users", soci::into(n); });
  return n;
}

core::Result<domain::User> UserRepository::update(std::int64_t id, const UserChanges& changes,
                                                  const domain::AuditActor& actor) {
  return db_.with_session([&](soci::session& sql) -> core::Result<domain::User> {
    sql::WriteTransaction tx(sql, db_.dialect());
    auto current = fetch(sql, id);
    if (!current) return core::fail(core::Error::not_found("User not found"));
    auto u = *current;
    if (changes.email) u.email = lower(*changes.email);
    if (changes.password_hash) u.password_hash = *changes.password_hash;
    if (changes.is_active) u.is_active = *changes.is_active;
    u.role = domain::patched_role(u.role, domain::UserPatch{std::nullopt, std::nullopt, std::nullopt,
                                                            changes.is_superuser, changes.role});
    // End every session issued before a password change, a deactivation or
    // a demotion: a JWT carries token_version and stops validating at once.
    const bool revoke = changes.password_hash || (!u.is_active && current->is_active) ||
                        !domain::allows(u.role, current->role);
    if (revoke) ++u.token_version;
    const auto now = clock_();
    const long long at = core::to_unix(now), key = id, version = u.token_version;
    const int active = u.is_active ? 1 : 0, super = u.is_superuser() ? 1 : 0;
    const std::string role_text(domain::to_string(u.role));
    try {
      sql << "UPDATE users SET email = :e, password_hash = :h, is_active = :a, is_superuser = :s, role = :r, "
             "token_version = :v, updated_at = :u WHERE id = :id",
          soci::use(u.email), soci::use(u.password_hash), soci::use(active), soci::use(super), soci::use(role_text),
          soci::use(version), soci::use(at), soci::use(key);
    } catch (const soci::soci_error& e) {
      if (!sql::is_unique_violation(e)) throw;
      return core::fail(core::Error::conflict("Email already registered"));
    }
    auto updated = *fetch(sql, id);
    auto before = domain::to_json(*current).as_object(), after = domain::to_json(updated).as_object();
    auto diff = domain::audit_changes(before, after);
    if (changes.password_hash) diff["password"] = boost::json::array{"***", "***"};
    record_audit(sql, actor, "user.update", "user", std::to_string(id), diff, now);
    tx.commit();
    return updated;
  });
}

core::Result<void> UserRepository::remove(std::int64_t id, const domain::AuditActor& actor) {
  return db_.with_session([&](soci::session& sql) -> core::Result<void> {
    sql::WriteTransaction tx(sql, db_.dialect());
    auto current = fetch(sql, id);
    if (!current) return core::fail(core::Error::not_found("User not found"));
    long long key = id;
    sql << "DELETE FROM api_tokens WHERE user_id = :id", soci::use(key);
    sql << "DELETE FROM users WHERE id = :id", soci::use(key);
    record_audit(sql, actor, "user.delete", "user", std::to_string(id),
                 domain::audit_changes(domain::to_json(*current).as_object(), {}), clock_());
    tx.commit();
    return {};
  });
}

}  // namespace sentinel::storage
