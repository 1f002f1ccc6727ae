#include "storage/channel_repository.hpp"

#include <soci/soci.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "storage/audit_repository.hpp"
#include "storage/channel_rows.hpp"
#include "storage/sql_support.hpp"

namespace sentinel::storage {

namespace {

// The rules a 409 names, at most: the detail stays short whatever the count.
constexpr std::size_t rules_named_in_conflict = 10;

core::Error not_found() { return core::Error::not_found("Channel not found"); }
core::Error duplicate_name() { return core::Error::conflict("Channel with this name already exists"); }

std::string severities_text(const std::vector<std::string>& s) {
  return boost::json::serialize(boost::json::array(s.begin(), s.end()));
}

// A channel as the audit log shows it: the API's shape (secrets as "***").
boost::json::object audited(const domain::Channel& c) {
  auto o = domain::to_json(c).as_object();
  o.erase("updated_at");
  return o;
}

std::optional<boost::json::object> open_secrets(const crypto::SecretBox& box, const std::string& sealed) {
  auto plain = box.open(sealed);
  if (!plain) return std::nullopt;
  boost::system::error_code ec;
  auto v = boost::json::parse(*plain, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// Writes every stored field of `c` (insert when c.id == 0) with `secrets`
// sealed under a fresh nonce; conflict on a duplicate name.
core::Result<std::int64_t> store(soci::session& sql, const crypto::SecretBox& box, const domain::Channel& c,
                                 const boost::json::object& secrets, long long now) {
  const std::string settings = boost::json::serialize(c.settings), sealed = box.seal(boost::json::serialize(secrets)),
                    severities = severities_text(c.default_for_severities);
  const int send_resolved = c.send_resolved ? 1 : 0;
  long long id = c.id;
  try {
    if (id == 0) {
      sql << "INSERT INTO notification_channels (name, type, settings, secrets, send_resolved, "
             "default_for_severities, created_at, updated_at) VALUES (:n, :t, :s, :x, :r, :d, :c, :u) RETURNING id",
          soci::use(c.name), soci::use(c.type), soci::use(settings), soci::use(sealed), soci::use(send_resolved),
          soci::use(severities), soci::use(now), soci::use(now), soci::into(id);
    } else {
      sql << "UPDATE notification_channels SET name = :n, type = :t, settings = :s, secrets = :x, "
             "send_resolved = :r, default_for_severities = :d, updated_at = :u WHERE id = :id",
          soci::use(c.name), soci::use(c.type), soci::use(settings), soci::use(sealed), soci::use(send_resolved),
          soci::use(severities), soci::use(now), soci::use(id);
    }
  } catch (const soci::soci_error& e) {
    if (sql::is_unique_violation(e)) return core::fail(duplicate_name());
    throw;
  }
  return id;
}

core::Error too_many_channels() {
  return core::Error::invalid_field(
      {"body"}, "Value error, at most " + std::to_string(domain::max_channels) + " channels; delete one first",
      "value_error");
}

core::Error in_use(const std::vector<RuleRef>& rules) {
  std::string detail = "channel is used by rules: ";
  for (std::size_t i = 0; i < rules.size() && i < rules_named_in_conflict; ++i)
    detail += (i ? ", " : "") + rules[i].name + " (#" + std::to_string(rules[i].id) + ")";
  if (rules.size() > rules_named_in_conflict)
    detail += " and " + std::to_string(rules.size() - rules_named_in_conflict) + " more";
  return core::Error::conflict(std::move(detail));
}

}  // namespace

core::Result<domain::Channel> ChannelRepository::create(const domain::ChannelCreate& in,
                                                        const domain::AuditActor& actor) {
  return db_.with_session([&](soci::session& sql) -> core::Result<domain::Channel> {
    sql::WriteTransaction tx(sql, db_.dialect());
    // Concurrent creates on PostgreSQL take turns here, so the cap holds
    // exactly (SQLite's write transaction already serialises them).
    if (db_.dialect() == Dialect::postgresql) sql << "LOCK TABLE notification_channels IN SHARE ROW EXCLUSIVE MODE";
    long long count = 0;
    sql << "SELECT COUNT(*) FROM notification_channels", soci::into(count);
    if (count >= static_cast<long long>(domain::max_channels)) return core::fail(too_many_channels());
    domain::Channel c;
    c.name = in.name;
    c.type = in.type;
    c.settings = in.settings.shown;
    c.send_resolved = in.send_resolved;
    c.default_for_severities = in.default_for_severities;
    const auto at = clock_();
    auto id = store(sql, box_, c, in.settings.secrets, core::to_unix(at));
    if (!id) return core::fail(id.error());
    auto created = fetch_channel(sql, db_.dialect(), *id);
    record_audit(sql, actor, "channel.create", "channel", std::to_string(*id),
                 domain::audit_changes({}, audited(created->channel)), at);
    tx.commit();
    return std::move(created->channel);
  });
}

core::Result<domain::Channel> ChannelRepository::get(std::int64_t id) {
  auto row = db_.with_session([&](soci::session& sql) { return fetch_channel(sql, db_.dialect(), id); });
  if (!row) return core::fail(not_found());
  return std::move(row->channel);
}

std::vector<domain::Channel> ChannelRepository::list(const domain::ChannelFilter& f) {
  return db_.with_session([&](soci::session& sql) { return list_channels(sql, f.type.value_or(""), f.skip, f.limit); });
}

core::Result<domain::Channel> ChannelRepository::update(std::int64_t id, const domain::ChannelPatch& patch,
                                                        const domain::AuditActor& actor) {
  return db_.with_session([&](soci::session& sql) -> core::Result<domain::Channel> {
    sql::WriteTransaction tx(sql, db_.dialect());
    auto before = fetch_channel(sql, db_.dialect(), id, true);
    if (!before) return core::fail(not_found());
    const auto stored_secrets = open_secrets(box_, before->sealed_secrets);
    auto merged = domain::apply_channel_patch(before->channel, stored_secrets, patch);
    if (!merged) return core::fail(merged.error());
    const auto at = clock_();
    if (auto stored = store(sql, box_, merged->channel, merged->secrets, core::to_unix(at)); !stored)
      return core::fail(stored.error());
    auto after = fetch_channel(sql, db_.dialect(), id);
    auto changes = domain::audit_changes(audited(before->channel), audited(after->channel));
    for (const auto& key : merged->changed_secrets) {
      auto was = before->channel.settings.contains(key) ? boost::json::value("***") : boost::json::value(nullptr);
      auto is = merged->secrets.contains(key) ? boost::json::value("***") : boost::json::value(nullptr);
      changes["settings." + key] = boost::json::array{std::move(was), std::move(is)};
    }
    record_audit(sql, actor, "channel.update", "channel", std::to_string(id), changes, at);
    tx.commit();
    return std::move(after->channel);
  });
}

core::Result<void> ChannelRepository::remove(std::int64_t id, const domain::AuditActor& actor) {
  return db_.with_session([&](soci::session& sql) -> core::Result<void> {
    sql::WriteTransaction tx(sql, db_.dialect());
    // The row lock first: a rule that is being saved with this channel
    // holds FOR SHARE on it (missing_channels), so the rules read below
    // include it once it commits.
    const auto before = fetch_channel(sql, db_.dialect(), id, true);
    if (!before) return core::fail(not_found());
    if (auto rules = rules_using_channel(sql, id); !rules.empty()) return core::fail(in_use(rules));
    const long long key = id;
    sql << "DELETE FROM notification_channels WHERE id = :id", soci::use(key);
    record_audit(sql, actor, "channel.delete", "channel", std::to_string(id),
                 domain::audit_changes(audited(before->channel), {}), clock_());
    tx.commit();
    return {};
  });
}

core::Result<domain::ResolvedChannel> ChannelRepository::resolve(std::int64_t id) {
  auto row = db_.with_session([&](soci::session& sql) { return fetch_channel(sql, db_.dialect(), id); });
  if (!row) return core::fail(not_found());
  auto plain = box_.open(row->sealed_secrets);
  if (!plain) return core::fail(plain.error());
  boost::system::error_code ec;
  auto secrets = boost::json::parse(*plain, ec);
  if (ec || !secrets.is_object()) return core::fail(core::Error::internal("cannot decrypt a stored secret: not JSON"));
  return domain::resolve_channel(row->channel, secrets.as_object());
}

std::vector<std::int64_t> ChannelRepository::missing(const std::vector<std::int64_t>& ids) {
  return db_.with_session([&](soci::session& sql) { return missing_channels(sql, db_.dialect(), ids); });
}

core::Result<RekeyReport> rekey_channels(Database& db, const crypto::SecretBox& old_box,
                                         const crypto::SecretBox& new_box, const domain::AuditActor& actor,
                                         core::Timestamp now) {
  return db.with_session([&](soci::session& sql) -> core::Result<RekeyReport> {
    sql::WriteTransaction tx(sql, db.dialect());
    RekeyReport report;
    std::vector<std::pair<long long, std::string>> rows;
    {
      const char* lock = db.dialect() == Dialect::postgresql ? " FOR UPDATE" : "";
      soci::rowset<soci::row> all = (sql.prepare << "SELECT id, secrets FROM notification_channels ORDER BY id" << lock);
      for (const auto& r : all) rows.emplace_back(sql::get_i64(r, 0), sql::get_str(r, 1));
    }
    for (const auto& [id, sealed] : rows) {
      if (new_box.open(sealed)) {
        ++report.already_current;
        continue;
      }
      auto plain = old_box.open(sealed);
      if (!plain)
        return core::fail(core::Error::conflict("channel " + std::to_string(id) +
                                                ": its secrets open with neither the old nor the current "
                                                "SECRET_KEY; nothing was changed"));
      const std::string resealed = new_box.seal(*plain);
      const long long at = core::to_unix(now), key = id;
      sql << "UPDATE notification_channels SET secrets = :x, updated_at = :u WHERE id = :id", soci::use(resealed),
          soci::use(at), soci::use(key);
      record_audit(sql, actor, "channel.rekey", "channel", std::to_string(id),
                   boost::json::object{{"secrets", boost::json::array{"***", "***"}}}, now);
      ++report.rekeyed;
    }
    tx.commit();
    return report;
  });
}

}  // namespace sentinel::storage
