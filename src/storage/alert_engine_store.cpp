#include "storage/alert_engine_store.hpp"

#include <soci/soci.h>

#include <algorithm>

#include "storage/alert_engine_statements.hpp"
#include "storage/alert_event_rows.hpp"
#include "storage/alert_rule_rows.hpp"
#include "storage/evaluation_writes.hpp"
#include "storage/notification_rows.hpp"
#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace sentinel::storage {

std::string_view to_string(Notification n) {
  switch (n) {
    case Notification::firing: return "firing";
    case Notification::repeat: return "repeat";
    case Notification::resolved: return "resolved";
    case Notification::none: break;
  }
  return "none";
}

namespace {

// First slot of a rule never scheduled: spread by id over one interval.
long long first_slot(long long now, long long id, long long interval) {
  const auto h = static_cast<unsigned long long>(id) * 0x9E3779B97F4A7C15ULL;
  return now + static_cast<long long>((h >> 33) % static_cast<unsigned long long>(interval));
}

// Sets a cached statement's bound variable and its NULL indicator.
template <class T, class U>
void set_nullable(T& value, soci::indicator& ind, const std::optional<U>& v) {
  ind = v ? soci::i_ok : soci::i_null;
  if (v) value = static_cast<T>(*v);
}

void update_rule_row(StatementCache& cache, const EvaluationRecord& ev, long long now) {
  auto u = cache.get<engine_sql::UpdateRuleRow>();
  u->state = ev.state;
  u->evaluated_at = now;
  set_nullable(u->last_value, u->last_value_ind, ev.last_value);
  set_nullable(u->last_error, u->last_error_ind, ev.last_error);
  u->owner = ev.owner;
  u->id = ev.rule_id;
  u->st.execute(true);
}

// One evaluation's writes, inside the caller's transaction. Appends the
// events to report after commit to `touched`.
void write_evaluation(soci::session& sql, StatementCache& cache, const domain::AlertRule& rule,
                      const EvaluationRecord& ev, std::vector<long long>& touched, const RoutingDefaults& routing) {
  const long long rule_id = ev.rule_id, now = core::to_unix(ev.evaluated_at);
  if (ev.updates.empty()) {
    // Nothing fired, nothing changed: the rule row alone. A rule deleted
    // meanwhile simply matches no row.
    update_rule_row(cache, ev, now);
    return;
  }
  {
    auto lock = cache.get<engine_sql::LockRule>();
    lock->id = rule_id;
    lock->st.execute(true);
    if (lock->found == 0) return;  // deleted meanwhile: its state went with it
  }

  write_series_updates(sql, rule, ev, touched, routing);
  update_rule_row(cache, ev, now);
}

}  // namespace

std::vector<ClaimedRule> AlertEngineStore::claim_due_rules(std::string_view owner_view,
                                                           std::int64_t default_interval_sec, std::size_t limit) {
  std::vector<ClaimedRule> out;
  db_.with_statements([&](soci::session& sql, StatementCache& cache) {
    const long long now = core::to_unix(clock_());
    {
      auto any = cache.get<engine_sql::AnythingToClaim>();
      any->now = now;
      any->st.execute(true);
      if (any->found == 0) return;
    }
    sql::WriteTransaction tx(sql, db_.dialect(), cache);

    // Rules never scheduled (new, or re-activated) get a spread first slot.
    {
      std::vector<std::pair<long long, long long>> fresh;
      {
        auto q = cache.get<engine_sql::UnscheduledRules>();
        q->default_interval = default_interval_sec;
        if (q->st.execute(true)) do {
            fresh.emplace_back(q->id, q->interval);
          } while (q->st.fetch());
      }
      for (auto [id, interval] : fresh) {
        auto u = cache.get<engine_sql::ScheduleRule>();
        u->slot = first_slot(now, id, std::max(1LL, interval));
        u->id = id;
        u->st.execute(true);
      }
    }

    std::vector<std::pair<std::size_t, long long>> unknown;  // (index in out, rule id): definitions to read
    {
      auto due = cache.get<engine_sql::DueRules>();
      due->default_interval = default_interval_sec;
      due->now = now;
      due->limit = static_cast<long long>(limit);
      if (due->st.execute(true)) do {
          ClaimedRule c;
          c.rule = definitions_.find(due->id, due->version, now);
          if (!c.rule) unknown.emplace_back(out.size(), due->id);
          c.last_value = due->last_value_ind == soci::i_ok ? std::optional<double>(due->last_value) : std::nullopt;
          c.interval_sec = std::max<std::int64_t>(1, due->interval);
          c.slot = core::from_unix(due->slot);
          // Slots that passed while nobody evaluated the rule are skipped,
          // not caught up: evaluating now covers them.
          c.skipped = (now - due->slot) / c.interval_sec;
          c.has_series = due->has_series != 0;
          out.push_back(std::move(c));
        } while (due->st.fetch());
    }
    // In this transaction the rows are locked (PostgreSQL) or no other
    // writer runs (SQLite): the definition read is the version claimed.
    for (auto [i, id] : unknown) {
      auto q = cache.get<engine_sql::RuleDefinition>();
      q->id = id;
      q->st.execute(true);
      auto rule = std::make_shared<const domain::AlertRule>(read_rule(q->row));
      const long long version = sql::get_i64(q->row, rule_column_count);  // after read_rule's columns
      definitions_.put(id, version, rule, now);
      out[i].rule = std::move(rule);
    }
    {
      auto lease = cache.get<engine_sql::LeaseRules>();
      lease->now = now;
      lease->default_interval = default_interval_sec;
      lease->owner = std::string(owner_view);
      constexpr auto chunk = engine_sql::LeaseRules::max_ids;
      for (std::size_t at = 0; at < out.size(); at += chunk) {
        lease->ids.fill(0);
        for (std::size_t i = at; i < std::min(out.size(), at + chunk); ++i) lease->ids[i - at] = out[i].rule->id;
        lease->st.execute(true);
      }
    }
    tx.commit();
  });
  return out;
}

std::optional<core::Timestamp> AlertEngineStore::next_due_at() {
  std::optional<core::Timestamp> out;
  db_.with_session([&](soci::session& sql) {
    long long t = 0, n = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT COUNT(*), MIN(COALESCE(next_eval_at, 0)) FROM alert_rules WHERE is_active = 1", soci::into(n),
        soci::into(t, ind);
    if (n > 0 && ind == soci::i_ok) out = core::from_unix(t);
  });
  return out;
}

std::vector<StoredSeries> AlertEngineStore::load_series(std::int64_t rule_id) {
  std::vector<StoredSeries> out;
  db_.with_statements([&](soci::session&, StatementCache& cache) {
    auto q = cache.get<engine_sql::SeriesOfRule>();
    q->rule_id = rule_id;
    q->st.execute();
    while (q->st.fetch()) {
      const auto& r = q->row;
      StoredSeries s;
      s.fingerprint = sql::get_str(r, 0);
      s.labels = parse_labels(sql::get_str(r, 1));
      s.server_id = sql::get_opt_i64(r, 2);
      s.state = sql::get_str(r, 3);
      s.pending_since = sql::get_opt_time(r, 4);
      s.firing_since = sql::get_opt_time(r, 5);
      s.last_value = sql::get_opt_double(r, 6);
      s.last_seen_at = sql::get_opt_time(r, 7);
      s.last_notified_at = sql::get_opt_time(r, 8);
      s.event_id = sql::get_opt_i64(r, 9);
      s.acknowledged = sql::get_bool(r, 10);
      s.keep_firing_since = sql::get_opt_time(r, 11);
      out.push_back(std::move(s));
    }
  });
  return out;
}

std::vector<RecordedEvent> AlertEngineStore::record(const domain::AlertRule& rule, const EvaluationRecord& ev) {
  std::vector<RecordedEvent> out;
  db_.with_statements([&](soci::session& sql, StatementCache& cache) {
    std::vector<long long> touched;
    if (ev.updates.empty()) {
      // The common case: one statement, no transaction.
      write_evaluation(sql, cache, rule, ev, touched, routing_);
      return;
    }
    sql::WriteTransaction tx(sql, db_.dialect(), cache);
    write_evaluation(sql, cache, rule, ev, touched, routing_);
    tx.commit();
    out = fetch_recorded(sql, touched);
  });
  return out;
}

std::vector<std::vector<RecordedEvent>> AlertEngineStore::record_batch(std::span<const Recording> batch) {
  std::vector<std::vector<RecordedEvent>> out(batch.size());
  if (batch.empty()) return out;
  bool committed = false;
  try {
    db_.with_statements([&](soci::session& sql, StatementCache& cache) {
      std::vector<std::vector<long long>> touched(batch.size());
      sql::WriteTransaction tx(sql, db_.dialect(), cache);
      for (std::size_t i = 0; i < batch.size(); ++i)
        write_evaluation(sql, cache, batch[i].rule, batch[i].evaluation, touched[i], routing_);
      tx.commit();
      committed = true;
      for (std::size_t i = 0; i < batch.size(); ++i)
        if (!touched[i].empty()) out[i] = fetch_recorded(sql, touched[i]);
    });
  } catch (const std::exception& e) {
    if (!committed) throw;
    throw BatchCommittedThenFailed(std::string("batch written, then: ") + e.what());
  }
  return out;
}

std::vector<ServerRef> AlertEngineStore::servers() {
  std::vector<ServerRef> out;
  db_.with_session([&](soci::session& sql) {
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT id, name, instance, job_name FROM servers ORDER BY id");
    for (const auto& r : rows)
      out.push_back({sql::get_i64(r, 0), sql::get_str(r, 1), sql::get_str(r, 2), sql::get_str(r, 3)});
  });
  return out;
}

void AlertEngineStore::release_all_leases() {
  db_.with_session([&](soci::session& sql) {
    sql << "UPDATE alert_rules SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner IS NOT NULL";
    sql << "UPDATE notification_outbox SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner IS NOT NULL";
  });
}

}  // namespace sentinel::storage
