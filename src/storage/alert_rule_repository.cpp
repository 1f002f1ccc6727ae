#include "storage/alert_rule_repository.hpp"

#include <soci/soci.h>

#include <map>
#include <set>
#include <string>
#include <utility>

#include "domain/json.hpp"
#include "storage/alert_rule_rows.hpp"
#include "storage/audit_repository.hpp"
#include "storage/channel_rows.hpp"
#include "storage/notification_rows.hpp"
#include "storage/sql_support.hpp"

namespace sentinel::storage {

namespace {

// The user-editable fields, bound in one order for INSERT and UPDATE.
struct EditableFields {
  sql::Nullable<long long> server_id;
  sql::Nullable<double> recovery_threshold;
  sql::Nullable<std::string> description, summary, rule_group;
  sql::Nullable<long long> eval_interval_sec;
  sql::Nullable<long long> group_wait_sec, group_interval_sec;
  std::string channel_ids, labels, annotations;
  // A rule without a condition is stored as comparison '' and threshold 0
  // (migration 0006).
  double threshold;
  std::string comparison;
  long long repeat_interval_sec, for_sec, keep_firing_for_sec;
  int is_active;
  explicit EditableFields(const domain::AlertRule& r)
      : server_id(sql::nullable_i64(r.server_id)),
        recovery_threshold(r.recovery_threshold),
        description(r.description),
        summary(r.summary),
        rule_group(r.rule_group),
        eval_interval_sec(sql::nullable_i64(r.eval_interval_sec)),
        group_wait_sec(sql::nullable_i64(r.group_wait_sec)),
        group_interval_sec(sql::nullable_i64(r.group_interval_sec)),
        channel_ids(channel_ids_text(r.channel_ids)),
        labels(string_map_text(r.labels)),
        annotations(string_map_text(r.annotations)),
        threshold(r.threshold.value_or(0)),
        comparison(r.comparison.value_or("")),
        repeat_interval_sec(r.repeat_interval_sec),
        for_sec(r.for_sec),
        keep_firing_for_sec(r.keep_firing_for_sec),
        is_active(r.is_active ? 1 : 0) {}
};

const char* const insert_rule_sql =
    "INSERT INTO alert_rules (name, server_id, metric_name, promql, threshold, comparison, "
    "repeat_interval_sec, is_active, channel, for_sec, recovery_threshold, no_data_state, severity, "
    "description, eval_interval_sec, channel_ids, group_wait_sec, group_interval_sec, summary, labels, "
    "annotations, rule_group, keep_firing_for_sec, state, created_at, updated_at) VALUES (:name, :server_id, "
    ":metric_name, :promql, :threshold, :comparison, :repeat, :active, :channel, :for_sec, :recovery, :no_data, "
    ":severity, :description, :eval, :channel_ids, :group_wait, :group_interval, :summary, :labels, :annotations, "
    ":rule_group, :keep_firing, 'inactive', :c, :u) RETURNING id";

// A rule as the audit log shows it: what a user edits, not the engine's state.
boost::json::object audited(const domain::AlertRule& r) {
  auto o = domain::to_json(r).as_object();
  for (const char* engine_field : {"state", "last_evaluated_at", "last_value", "last_error", "updated_at"})
    o.erase(engine_field);
  return o;
}

}  // namespace

core::Result<domain::AlertRule> AlertRuleRepository::create(const domain::AlertRuleCreate& in,
                                                            const domain::AuditActor& actor) {
  const domain::AlertRule r = domain::make_rule(in);
  return db_.with_session([&](soci::session& sql) -> core::Result<domain::AlertRule> {
    sql::WriteTransaction tx(sql, db_.dialect());
    // Checked (and the channels locked) in this transaction: a channel
    // deleted since the request was validated is not referenced.
    if (auto missing = missing_channels(sql, db_.dialect(), r.channel_ids); !missing.empty())
      return core::fail(domain::unknown_channels_error(missing));
    const auto at = clock_();
    auto created = insert_rule(sql, r, actor, at);
    tx.commit();
    return created;
  });
}

domain::AlertRule AlertRuleRepository::insert_rule(soci::session& sql, const domain::AlertRule& r,
                                                   const domain::AuditActor& actor, core::Timestamp at) {
  EditableFields f(r);
  const long long now = core::to_unix(at);
  long long id = 0;
  sql << insert_rule_sql, soci::use(r.name), soci::use(f.server_id.value, f.server_id.ind),
      soci::use(r.metric_name), soci::use(r.promql), soci::use(f.threshold), soci::use(f.comparison),
      soci::use(f.repeat_interval_sec), soci::use(f.is_active), soci::use(r.channel), soci::use(f.for_sec),
      soci::use(f.recovery_threshold.value, f.recovery_threshold.ind), soci::use(r.no_data_state),
      soci::use(r.severity), soci::use(f.description.value, f.description.ind),
      soci::use(f.eval_interval_sec.value, f.eval_interval_sec.ind), soci::use(f.channel_ids),
      soci::use(f.group_wait_sec.value, f.group_wait_sec.ind),
      soci::use(f.group_interval_sec.value, f.group_interval_sec.ind), soci::use(f.summary.value, f.summary.ind),
      soci::use(f.labels), soci::use(f.annotations), soci::use(f.rule_group.value, f.rule_group.ind),
      soci::use(f.keep_firing_for_sec), soci::use(now), soci::use(now), soci::into(id);
  auto created = fetch_rule(sql, id);
  record_audit(sql, actor, "rule.create", "rule", std::to_string(id), domain::audit_changes({}, audited(*created)),
               at);
  return std::move(*created);
}

core::Result<domain::AlertRule> AlertRuleRepository::get(std::int64_t id) {
  std::optional<domain::AlertRule> r;
  db_.with_session([&](soci::session& sql) { r = fetch_rule(sql, id); });
  if (!r) return core::fail(core::Error::not_found("Alert rule not found"));
  return *r;
}

std::vector<domain::AlertRule> AlertRuleRepository::list(const domain::AlertRuleFilter& f) {
  std::vector<domain::AlertRule> out;
  db_.with_session([&](soci::session& sql) {
    const int has_server = f.server_id ? 1 : 0, has_active = f.is_active ? 1 : 0;
    const long long server = f.server_id.value_or(0);
    const int active = f.is_active.value_or(false) ? 1 : 0;
    long long skip = f.skip, limit = f.limit;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " << rule_columns
                     << " FROM alert_rules WHERE (:hs = 0 OR server_id = :s) AND (:ha = 0 OR is_active = :a) "
                        "ORDER BY id LIMIT :l OFFSET :o",
         soci::use(has_server), soci::use(server), soci::use(has_active), soci::use(active), soci::use(limit),
         soci::use(skip));
    for (const auto& r : rows) out.push_back(read_rule(r));
  });
  return out;
}

core::Result<domain::AlertRule> AlertRuleRepository::update(const domain::AlertRule& r,
                                                            const domain::AuditActor& actor) {
  return db_.with_session([&](soci::session& sql) -> core::Result<domain::AlertRule> {
    sql::WriteTransaction tx(sql, db_.dialect());
    const auto at = clock_();
    const auto before = fetch_rule(sql, r.id);
    if (!before) return core::fail(core::Error::not_found("Alert rule not found"));
    if (auto missing = missing_channels(sql, db_.dialect(), r.channel_ids); !missing.empty())
      return core::fail(domain::unknown_channels_error(missing));
    auto updated = update_rule(sql, *before, r, actor, at);
    tx.commit();
    return updated;
  });
}

domain::AlertRule AlertRuleRepository::update_rule(soci::session& sql, const domain::AlertRule& before,
                                                   const domain::AlertRule& r, const domain::AuditActor& actor,
                                                   core::Timestamp at) {
  const long long now = core::to_unix(at), id = r.id;
  EditableFields f(r);
  // A new query or condition makes "held for for_sec" meaningless: pending
  // series start over, and remembered inactive ones (no_data_state
  // "alerting") may never come back from the new query, so they go too.
  // Firing ones stay firing until an evaluation resolves them (the same
  // rule as alerting::on_rule_changed). A new interval or a pause
  // reschedules the rule from scratch.
  const bool condition_changed = before.promql != r.promql || before.threshold != r.threshold ||
                                 before.comparison != r.comparison || before.server_id != r.server_id;
  const int reschedule = (before.eval_interval_sec != r.eval_interval_sec || !r.is_active) ? 1 : 0;
  // config_version lets the alert engine notice any edit.
  sql << "UPDATE alert_rules SET name = :name, server_id = :server_id, metric_name = :metric_name, "
         "promql = :promql, threshold = :threshold, comparison = :comparison, "
         "repeat_interval_sec = :repeat, is_active = :active, channel = :channel, for_sec = :for_sec, "
         "recovery_threshold = :recovery, no_data_state = :no_data, severity = :severity, "
         "description = :description, eval_interval_sec = :eval, channel_ids = :channel_ids, "
         "group_wait_sec = :group_wait, group_interval_sec = :group_interval, summary = :summary, "
         "labels = :labels, annotations = :annotations, rule_group = :rule_group, "
         "keep_firing_for_sec = :keep_firing, "
         "next_eval_at = CASE WHEN :resched = 1 THEN NULL ELSE next_eval_at END, "
         "config_version = config_version + 1, updated_at = :u WHERE id = :id",
      soci::use(r.name), soci::use(f.server_id.value, f.server_id.ind), soci::use(r.metric_name),
      soci::use(r.promql), soci::use(f.threshold), soci::use(f.comparison), soci::use(f.repeat_interval_sec),
      soci::use(f.is_active), soci::use(r.channel), soci::use(f.for_sec),
      soci::use(f.recovery_threshold.value, f.recovery_threshold.ind), soci::use(r.no_data_state),
      soci::use(r.severity), soci::use(f.description.value, f.description.ind),
      soci::use(f.eval_interval_sec.value, f.eval_interval_sec.ind), soci::use(f.channel_ids),
      soci::use(f.group_wait_sec.value, f.group_wait_sec.ind),
      soci::use(f.group_interval_sec.value, f.group_interval_sec.ind), soci::use(f.summary.value, f.summary.ind),
      soci::use(f.labels), soci::use(f.annotations), soci::use(f.rule_group.value, f.rule_group.ind),
      soci::use(f.keep_firing_for_sec), soci::use(reschedule), soci::use(now), soci::use(id);
  if (before.is_active && !r.is_active)
    end_alerts_of_rule(sql, id, now, "rule paused", routing_);
  else if (condition_changed)
    sql << "DELETE FROM alert_series_state WHERE rule_id = :id AND state <> 'firing'", soci::use(id);
  auto updated = fetch_rule(sql, id);
  record_audit(sql, actor, "rule.update", "rule", std::to_string(id),
               domain::audit_changes(audited(before), audited(*updated)), at);
  return std::move(*updated);
}

core::Result<std::vector<ImportedRuleResult>> AlertRuleRepository::import_rules(
    const std::vector<domain::AlertRuleCreate>& rules, const ImportMerge& merge, const SameDefinition& same,
    bool dry_run, const domain::AuditActor& actor) {
  return db_.with_session([&](soci::session& sql) -> core::Result<std::vector<ImportedRuleResult>> {
    // Matching happens inside the write transaction, so two imports of one
    // file at once cannot both create its rules.
    sql::WriteTransaction tx(sql, db_.dialect());
    const auto at = clock_();
    std::map<std::pair<std::string, std::string>, std::vector<domain::AlertRule>> stored;  // by (group, name), by id
    std::set<std::string> groups;
    for (const auto& r : rules)
      if (r.rule_group) groups.insert(*r.rule_group);
    for (const auto& group : groups) {
      soci::rowset<soci::row> rows = (sql.prepare << "SELECT " << rule_columns
                                                  << " FROM alert_rules WHERE rule_group = :g ORDER BY id",
                                      soci::use(group));
      for (const auto& row : rows) {
        auto r = read_rule(row);
        stored[{group, r.name}].push_back(std::move(r));
      }
    }
    std::map<std::pair<std::string, std::string>, std::size_t> seen;
    std::vector<ImportedRuleResult> out;
    for (const auto& in : rules) {
      const domain::AlertRule file = domain::make_rule(in);
      if (auto missing = missing_channels(sql, db_.dialect(), file.channel_ids); !missing.empty())
        return core::fail(domain::unknown_channels_error(missing));
      const std::pair<std::string, std::string> key{in.rule_group.value_or(""), in.name};
      const std::size_t k = seen[key]++;
      const auto it = stored.find(key);
      if (it == stored.end() || k >= it->second.size()) {
        out.push_back({ImportAction::created, dry_run ? file : insert_rule(sql, file, actor, at)});
        continue;
      }
      const domain::AlertRule& before = it->second[k];
      domain::AlertRule merged = merge(before, file);
      merged.id = before.id;
      if (same(before, merged)) {
        out.push_back({ImportAction::unchanged, before});
        continue;
      }
      out.push_back({ImportAction::updated, dry_run ? merged : update_rule(sql, before, merged, actor, at)});
    }
    if (!dry_run) tx.commit();
    return out;
  });
}

core::Result<void> AlertRuleRepository::remove(std::int64_t id, const domain::AuditActor& actor) {
  bool found = false;
  db_.with_session([&](soci::session& sql) {
    const auto at = clock_();
    const long long key = id, now = core::to_unix(at);
    sql::WriteTransaction tx(sql, db_.dialect());
    const auto before = fetch_rule(sql, key);
    if (!before) return;
    end_alerts_of_rule(sql, key, now, "rule deleted", routing_);
    soci::statement st = (sql.prepare << "DELETE FROM alert_rules WHERE id = :id", soci::use(key));
    st.execute(true);
    found = st.get_affected_rows() > 0;
    record_audit(sql, actor, "rule.delete", "rule", std::to_string(id), domain::audit_changes(audited(*before), {}),
                 at);
    tx.commit();
  });
  if (!found) return core::fail(core::Error::not_found("Alert rule not found"));
  return {};
}

}  // namespace sentinel::storage
