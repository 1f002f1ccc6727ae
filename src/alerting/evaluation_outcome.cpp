#include "alerting/evaluation_outcome.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "alerting/state_machine.hpp"
#include "domain/label_fingerprint.hpp"
#include "domain/message_template.hpp"
#include "notify/event_text.hpp"

namespace sentinel::alerting {

namespace {

SeriesState to_state(const storage::StoredSeries& s) {
  SeriesState out;
  out.phase = phase_from_string(s.state).value_or(Phase::inactive);
  out.active_since = s.pending_since;
  out.firing_since = s.firing_since;
  out.keep_firing_since = s.keep_firing_since;
  out.last_notified_at = s.last_notified_at;
  out.last_value = s.last_value;
  out.last_seen_at = s.last_seen_at;
  out.event_id = s.event_id;
  out.acknowledged = s.acknowledged;
  return out;
}

void copy_state(const SeriesState& from, storage::StoredSeries& to) {
  to.state = std::string(to_string(from.phase));
  to.pending_since = from.active_since;
  to.firing_since = from.firing_since;
  to.keep_firing_since = from.keep_firing_since;
  to.last_notified_at = from.last_notified_at;
  to.last_value = from.last_value;
  to.last_seen_at = from.last_seen_at;
  to.event_id = from.event_id;
}

storage::Notification to_notification(Notify n) {
  switch (n) {
    case Notify::firing: return storage::Notification::firing;
    case Notify::repeat: return storage::Notification::repeat;
    case Notify::resolved: return storage::Notification::resolved;
    case Notify::none: break;
  }
  return storage::Notification::none;
}

// A series' value for the rule's last_value: the one furthest on the firing
// side of the threshold, so a rule over many series shows its worst one.
bool worse(double a, double b, const std::string& comparison) {
  if (std::isnan(b)) return !std::isnan(a);
  if (comparison == "<" || comparison == "<=") return a < b;
  return a > b;
}

// Worth a database write: anything but the latest sample and sighting,
// which change on every evaluation and decide nothing.
bool state_changed(const SeriesState& a, const SeriesState& b) {
  return a.phase != b.phase || a.active_since != b.active_since || a.firing_since != b.firing_since ||
         a.keep_firing_since != b.keep_firing_since ||
         a.last_notified_at != b.last_notified_at || a.event_id != b.event_id;
}

struct Observed {
  std::map<std::string, std::string> labels;
  std::optional<std::int64_t> server_id;
  std::optional<double> value;  // nullopt: absent from this result
};

storage::StoredSeries fresh_series(std::string fingerprint, std::map<std::string, std::string> labels,
                                   std::optional<std::int64_t> server_id) {
  storage::StoredSeries s;
  s.fingerprint = std::move(fingerprint);
  s.labels = std::move(labels);
  s.server_id = server_id;
  s.state = "inactive";
  return s;
}

boost::json::object rendered(const std::map<std::string, std::string>& templates, const domain::TemplateData& data) {
  boost::json::object out;
  for (const auto& [name, text] : templates) out[name] = domain::render_template(text, data);
  return out;
}

}  // namespace

std::string describe(const core::Error& e) {
  return e.detail.empty() && !e.fields.empty() ? e.fields.front().msg : e.detail;
}

std::expected<std::string, std::string> query_for(const domain::AlertRule& rule, const ServerIndex& servers) {
  std::optional<domain::Server> server;
  if (rule.server_id) {
    auto it = servers.by_id.find(*rule.server_id);
    if (it == servers.by_id.end()) return std::unexpected("Server of this rule not found");
    server.emplace();
    server->id = it->second.id;
    server->name = it->second.name;
    server->instance = it->second.instance;
    server->job_name = it->second.job_name;
  }
  auto query = prometheus::render_rule_query(rule, server);
  if (!query) return std::unexpected(describe(query.error()));
  return std::move(*query);
}

void apply_evaluation(const domain::AlertRule& rule, const ServerIndex& servers,
                      std::vector<prometheus::TestedSeries> series, std::vector<storage::StoredSeries> stored,
                      core::Timestamp now, storage::EvaluationRecord& record) {
  const RuleCondition condition = condition_of(rule);

  std::map<std::string, Observed> observed;  // by fingerprint
  for (auto& s : series) {
    Observed o;
    for (auto& [k, v] : s.labels) o.labels.emplace(std::move(k), std::move(v));
    o.server_id = s.server_id;
    o.value = s.value;
    observed.insert_or_assign(domain::label_fingerprint(o.labels), std::move(o));
  }
  std::map<std::string, storage::StoredSeries> previous;
  std::set<std::string> is_stored;
  for (auto& s : stored) {
    is_stored.insert(s.fingerprint);
    previous.emplace(s.fingerprint, std::move(s));
  }
  // no_data_state "alerting" with no series at all: the absence of any
  // data is itself the alert, carried by one series with no labels.
  if (condition.no_data == NoData::alerting && observed.empty() && previous.empty()) {
    previous.emplace(domain::label_fingerprint({}), fresh_series(domain::label_fingerprint({}), {}, rule.server_id));
  }
  for (const auto& [fp, o] : observed)
    if (!previous.contains(fp))
      previous.emplace(fp, fresh_series(fp, o.labels, o.server_id));

  // The series with no labels made above for an empty result stands for "no
  // data at all": once the query returns series again, that is over (absent
  // from the result, under "alerting" it would hold, and fire, forever).
  const std::string nothing = domain::label_fingerprint({});
  RuleCondition data_returned = condition;
  data_returned.no_data = NoData::ok;

  std::vector<Phase> phases;
  std::optional<double> worst;
  for (auto& [fp, before] : previous) {
    auto it = observed.find(fp);
    const std::optional<double> sample = it == observed.end() ? std::nullopt : it->second.value;
    // A server registered since the series was first seen maps now; its
    // open event (recorded with no server) gains it too.
    bool gains_server = false;
    if (it != observed.end()) {
      before.labels = it->second.labels;
      gains_server = !before.server_id && it->second.server_id;
      before.server_id = it->second.server_id;
    }
    const bool no_data_over = condition.no_data == NoData::alerting && fp == nothing && it == observed.end() &&
                              !observed.empty();
    const SeriesState prior = to_state(before);
    const Step step = alerting::step(prior, sample, no_data_over ? data_returned : condition, now);
    if (sample && (!worst || worse(*sample, *worst, rule.comparison.value_or(">")))) worst = sample;
    phases.push_back(step.next.phase);
    const bool was_stored = is_stored.contains(fp);
    const bool write = step.notify != Notify::none || (step.forget ? was_stored
                                                                   : !was_stored || gains_server ||
                                                                         state_changed(prior, step.next));
    if (!write) continue;

    storage::SeriesUpdate u;
    u.series = before;
    u.event_gains_server = gains_server && prior.event_id;
    copy_state(step.next, u.series);
    u.forget = step.forget;
    u.notify = to_notification(step.notify);
    if (step.notify == Notify::repeat || step.notify == Notify::resolved) u.open_event_id = prior.event_id;
    u.value = sample;
    if (u.notify != storage::Notification::none) {
      std::string where;
      std::optional<std::string> server_name, instance;
      if (u.series.server_id) {
        if (auto s = servers.by_id.find(*u.series.server_id); s != servers.by_id.end()) {
          server_name = s->second.name;
          instance = s->second.instance;
        }
      }
      if (!instance)
        if (auto l = u.series.labels.find("instance"); l != u.series.labels.end()) instance = l->second;
      where = server_name.value_or(instance.value_or(""));
      // Only a firing stores its message: without a sample it fired for the
      // absence of data, which the last value seen (below the threshold) would belie.
      const domain::TemplateData data{&u.series.labels, sample};
      u.message = rule.summary && !rule.summary->empty()
                      ? domain::render_template(*rule.summary, data)
                      : notify::event_message(rule.name, rule.comparison, rule.threshold, sample, where);
      boost::json::object payload;
      payload["server_name"] = server_name ? boost::json::value(*server_name) : nullptr;
      payload["instance"] = instance ? boost::json::value(*instance) : nullptr;
      // The rule's templates, rendered for this series now: what was true
      // when it fired (or resolved) is what the message says.
      if (rule.summary) payload["summary"] = domain::render_template(*rule.summary, data);
      payload["description"] =
          rule.description ? boost::json::value(domain::render_template(*rule.description, data)) : nullptr;
      if (!rule.annotations.empty()) payload["annotations"] = rendered(rule.annotations, data);
      if (!rule.labels.empty()) payload["labels"] = rendered(rule.labels, data);
      if (sample && std::isfinite(*sample)) payload["value"] = *sample;
      u.payload = boost::json::serialize(payload);
    }
    record.updates.push_back(std::move(u));
  }
  record.state = std::string(to_string(rule_phase(phases)));
  // NaN is a sample, but not a value to show (SQLite would store it as NULL anyway).
  record.last_value = worst && !std::isnan(*worst) ? worst : std::nullopt;
}

}  // namespace sentinel::alerting
