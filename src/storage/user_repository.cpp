#include "storage/user_repository.hpp"

#include <soci/soci.h>

#include <algorithm>

#include "storage/sql_support.hpp"

namespace sentinel::storage {

namespace {

constexpr const char* columns =
    "id, email, password_hash, is_active, is_superuser, token_version, created_at, updated_at";

domain::User read_user(const soci::row& r) {
  domain::User u;
  u.id = sql::get_i64(r, 0);
  u.email = sql::get_str(r, 1);
  u.password_hash = sql::get_str(r, 2);
  u.is_active = sql::get_bool(r, 3);
  u.is_superuser = sql::get_bool(r, 4);
  u.token_version = sql::get_i64(r, 5);
  u.created_at = sql::get_time(r, 6);
  u.updated_at = sql::get_time(r, 7);
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
                                                  bool is_active, bool is_superuser) {
  core::Result<domain::User> result = core::fail(core::Error::internal("not run"));
  db_.with_session([&](soci::session& sql) {
    const long long now = core::to_unix(clock_());
    const std::string normalized = lower(email);
    const int active = is_active ? 1 : 0, super = is_superuser ? 1 : 0;
    long long id = 0;
    try {
      sql << "INSERT INTO users (email, password_hash, is_active, is_superuser, token_version, created_at, updated_at) "
             "VALUES (:e, :h, :a, :s, 0, :c, :u) RETURNING id",
          soci::use(normalized), soci::use(password_hash), soci::use(active), soci::use(super), soci::use(now),
          soci::use(now), soci::into(id);
    } catch (const soci::soci_error& e) {
      if (!sql::is_unique_violation(e)) throw;
      result = core::fail(core::Error::conflict("Email already registered"));
      return;
    }
    result = *fetch(sql, id);
  });
  return result;
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

core::Result<domain::User> UserRepository::update(std::int64_t id, const UserChanges& changes) {
  core::Result<domain::User> result = core::fail(core::Error::not_found("User not found"));
  db_.with_session([&](soci::session& sql) {
    sql::WriteTransaction tx(sql, db_.dialect());
    auto current = fetch(sql, id);
    if (!current) return;
    auto u = *current;
    // Revoke every token issued before a password change or deactivation.
    const bool revoke = changes.password_hash || (changes.is_active && !*changes.is_active && u.is_active);
    if (changes.email) u.email = lower(*changes.email);
    if (changes.password_hash) u.password_hash = *changes.password_hash;
    if (changes.is_active) u.is_active = *changes.is_active;
    if (changes.is_superuser) u.is_superuser = *changes.is_superuser;
    if (revoke) ++u.token_version;
    const long long now = core::to_unix(clock_()), key = id, version = u.token_version;
    const int active = u.is_active ? 1 : 0, super = u.is_superuser ? 1 : 0;
    try {
      sql << "UPDATE users SET email = :e, password_hash = :h, is_active = :a, is_superuser = :s, "
             "token_version = :v, updated_at = :u WHERE id = :id",
          soci::use(u.email), soci::use(u.password_hash), soci::use(active), soci::use(super), soci::use(version),
          soci::use(now), soci::use(key);
    } catch (const soci::soci_error& e) {
      if (!sql::is_unique_violation(e)) throw;
      result = core::fail(core::Error::conflict("Email already registered"));
      return;
    }
    tx.commit();
    result = *fetch(sql, id);
  });
  return result;
}

core::Result<void> UserRepository::remove(std::int64_t id) {
  bool found = false;
  db_.with_session([&](soci::session& sql) {
    long long key = id;
    soci::statement st = (sql.prepare << "DELETE FROM users WHERE id = :id", soci::use(key));
    st.execute(true);
    found = st.get_affected_rows() > 0;
  });
  if (!found) return core::fail(core::Error::not_found("User not found"));
  return {};
}

}  // namespace sentinel::storage
