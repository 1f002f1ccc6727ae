#include "domain/server_discovery.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <variant>
#include <unordered_map>
#include <unordered_set>

#include "domain/json.hpp"
#include "domain/json_reader.hpp"
#include "domain/json_writer.hpp"

namespace sentinel::domain {

namespace {

using detail::Presence;

constexpr auto job_rule = detail::StringRule::between(1, 255).non_blank();
constexpr std::size_t max_name_chars = 255;
constexpr std::size_t max_label_name_chars = 255;

bool is_label_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_label_char(char c) { return is_label_start(c) || (c >= '0' && c <= '9'); }

std::string_view label_of(const TargetLabels& labels, std::string_view name) {
  for (const auto& [key, value] : labels)
    if (key == name) return value;
  return {};
}

bool has_label(const TargetLabels& labels, std::string_view name) {
  return std::any_of(labels.begin(), labels.end(), [&](const auto& kv) { return kv.first == name; });
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t v = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || v <= 0) return std::nullopt;
  return v;
}

ExistingServer existing_of(const Server& s) { return ExistingServer{s.id, s.name, s.instance, s.is_active}; }

// Names are compared as stored (the database's UNIQUE is byte-exact).
class NameBook {
 public:
  explicit NameBook(std::span<const Server> servers) {
    for (const auto& s : servers) taken_.insert(s.name);
  }
  bool free(const std::string& name) const { return !taken_.contains(name); }
  void take(const std::string& name) { taken_.insert(name); }

 private:
  std::unordered_set<std::string> taken_;
};

// The name of a new server for `instance`, or the reason it has none.
std::variant<std::string, std::string> choose_name(const DiscoverRequest& req, const TargetLabels& labels,
                                                   const std::string& instance,
                                                   const std::optional<std::map<std::string, std::string>>& names,
                                                   const NameBook& book, bool& wanted_names) {
  std::string base;
  if (req.name_label) {
    if (has_label(labels, *req.name_label)) {
      base = std::string(label_of(labels, *req.name_label));
    } else if (names) {
      if (auto it = names->find(instance); it != names->end()) base = it->second;
    } else {
      wanted_names = true;
    }
  }
  const bool blank = std::all_of(base.begin(), base.end(), [](char c) { return c == ' ' || c == '\t'; });
  if (base.empty() || blank) base = instance;
  if (detail::utf8_length(base) > max_name_chars)
    return std::variant<std::string, std::string>(std::in_place_index<1>,
                                                  "name \"" + base.substr(0, 64) + "…\" is longer than 255 characters");
  if (book.free(base)) return std::variant<std::string, std::string>(std::in_place_index<0>, base);
  std::string alternative = base == instance ? instance + " (" + req.job + ")" : base + " (" + instance + ")";
  if (detail::utf8_length(alternative) <= max_name_chars && book.free(alternative))
    return std::variant<std::string, std::string>(std::in_place_index<0>, alternative);
  return std::variant<std::string, std::string>(
      std::in_place_index<1>, "name \"" + base + "\" is taken by another server, and so is \"" + alternative + "\"");
}

}  // namespace

bool is_valid_label_name(std::string_view name) {
  if (name.empty() || name.size() > max_label_name_chars || !is_label_start(name.front())) return false;
  return std::all_of(name.begin(), name.end(), is_label_char);
}

core::Result<DiscoverRequest> parse_discover_request(const boost::json::value& body) {
  auto obj = detail::body_object(body);
  if (!obj) return core::fail(obj.error());
  detail::ObjectReader r(**obj);
  DiscoverRequest out;
  if (auto v = r.string("job", Presence::required, job_rule)) out.job = std::move(**v);
  constexpr auto label_rule = detail::StringRule::between(1, max_label_name_chars)
                                  .checked(is_valid_label_name,
                                           "Value error, name_label must be a Prometheus label name "
                                           "([a-zA-Z_][a-zA-Z0-9_]*)");
  if (auto v = r.string("name_label", Presence::nullable, label_rule)) out.name_label = std::move(*v);
  if (auto v = r.boolean("dry_run", Presence::optional)) out.dry_run = **v;
  if (auto done = r.finish({}); !done) return core::fail(done.error());
  return out;
}

std::string discovered_description(std::string_view job) {
  return "discovered from Prometheus (job " + std::string(job) + ")";
}

DiscoveryPlan plan_discovery(const DiscoveryInput& in) {
  const auto& req = in.request;
  DiscoveryPlan plan;

  // The job's targets by instance (one entry per instance: Prometheus may
  // list one address twice under different labels; the first one counts).
  std::vector<const TargetLabels*> targets;
  for (const auto& t : in.targets)
    if (label_of(t, "job") == req.job) targets.push_back(&t);
  plan.targets = targets.size();
  std::stable_sort(targets.begin(), targets.end(), [](const TargetLabels* a, const TargetLabels* b) {
    return label_of(*a, "instance") < label_of(*b, "instance");
  });

  std::unordered_map<std::int64_t, const Server*> by_id;
  std::map<std::string, const Server*, std::less<>> by_instance;  // servers of the job; lowest id wins
  for (const auto& s : in.servers) {
    by_id.emplace(s.id, &s);
    if (s.job_name == req.job) by_instance.emplace(s.instance, &s);
  }
  NameBook book(in.servers);
  std::set<std::string, std::less<>> seen_instances;  // the job's target instances
  std::set<std::int64_t> matched;                     // servers a target stands for

  for (const auto* labels : targets) {
    const std::string instance(label_of(*labels, "instance"));
    if (!seen_instances.insert(instance).second) continue;
    if (has_label(*labels, sentinel_server_id_label)) {
      const auto id = parse_id(label_of(*labels, sentinel_server_id_label));
      const auto it = id ? by_id.find(*id) : by_id.end();
      if (it != by_id.end()) {
        plan.existing.push_back(existing_of(*it->second));
        matched.insert(*id);
      } else {
        plan.skipped.push_back({instance, "listed by Sentinel's own service discovery as server " +
                                              std::string(label_of(*labels, sentinel_server_id_label)) +
                                              ", which is no longer registered"});
      }
      continue;
    }
    if (auto it = by_instance.find(instance); it != by_instance.end()) {
      plan.existing.push_back(existing_of(*it->second));
      matched.insert(it->second->id);
      continue;
    }
    if (instance.empty()) {
      plan.skipped.push_back({instance, "the target has no instance label"});
      continue;
    }
    if (instance.size() > max_name_chars || !is_valid_host_port(instance)) {
      plan.skipped.push_back({instance, "instance is not host:port"});
      continue;
    }
    if (plan.create.size() >= in.max_created) {
      plan.skipped.push_back({instance, "at most " + std::to_string(in.max_created) +
                                            " servers are created per discovery; run it again for the rest"});
      continue;
    }
    auto name = choose_name(req, *labels, instance, in.names, book, plan.wants_names);
    if (name.index() == 1) {
      plan.skipped.push_back({instance, std::get<1>(std::move(name))});
      continue;
    }
    ServerCreate c;
    c.name = std::get<0>(std::move(name));
    c.job_name = req.job;
    c.instance = instance;
    c.description = discovered_description(req.job);
    book.take(c.name);
    plan.create.push_back(std::move(c));
  }

  for (const auto& [instance, server] : by_instance) {
    const bool present = seen_instances.contains(instance) || matched.contains(server->id);
    if (server->is_active && !present) plan.vanished.push_back(existing_of(*server));
    if (!server->is_active && present) plan.returned.push_back(existing_of(*server));
  }
  return plan;
}

std::map<std::string, std::string> names_by_instance(std::span<const TargetLabels> series,
                                                     std::string_view name_label) {
  std::map<std::string, std::string> out;
  for (const auto& labels : series) {
    const auto instance = label_of(labels, "instance");
    const auto name = label_of(labels, name_label);
    if (instance.empty() || name.empty()) continue;
    auto [it, inserted] = out.emplace(std::string(instance), std::string(name));
    if (!inserted && name < it->second) it->second = std::string(name);
  }
  return out;
}

boost::json::value to_json(const DiscoveryReport& r) {
  boost::json::array created;
  if (r.request.dry_run) {
    for (const auto& c : r.would_create)
      created.push_back(boost::json::object{{"name", c.name},
                                            {"job_name", c.job_name},
                                            {"instance", c.instance},
                                            {"is_active", c.is_active},
                                            {"description", detail::json_of(c.description)},
                                            {"cadvisor_instance", detail::json_of(c.cadvisor_instance)}});
  } else {
    for (const auto& s : r.created) created.push_back(to_json(s));
  }
  boost::json::array existing;
  for (const auto& e : r.existing)
    existing.push_back(
        boost::json::object{{"id", e.id}, {"name", e.name}, {"instance", e.instance}, {"is_active", e.is_active}});
  boost::json::array skipped;
  for (const auto& s : r.skipped) skipped.push_back(boost::json::object{{"instance", s.instance}, {"reason", s.reason}});
  return boost::json::object{{"job", r.request.job},
                             {"name_label", detail::json_of(r.request.name_label)},
                             {"dry_run", r.request.dry_run},
                             {"targets", r.targets},
                             {"created", std::move(created)},
                             {"existing", std::move(existing)},
                             {"skipped", std::move(skipped)}};
}

}  // namespace sentinel::domain
