#include "domain/scrape_targets.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <set>
#include <utility>

namespace sentinel::domain {

std::vector<ScrapeTarget> scrape_targets(std::span<const Server> servers) {
  std::vector<ScrapeTarget> out;
  std::set<std::pair<std::string, std::string>> seen;  // (job, address)
  auto add = [&](const Server& s, const std::string& address, std::string_view job) {
    if (!seen.emplace(std::string(job), address).second) return;
    out.push_back(ScrapeTarget{address, std::string(job), s.id, s.name});
  };
  for (const auto& s : servers) {
    if (!s.is_active) continue;
    add(s, s.instance, s.job_name);
    if (s.cadvisor_instance && !s.cadvisor_instance->empty()) add(s, *s.cadvisor_instance, cadvisor_job);
  }
  return out;
}

boost::json::value to_http_sd_json(std::span<const ScrapeTarget> targets) {
  boost::json::array out;
  out.reserve(targets.size());
  for (const auto& t : targets) {
    out.push_back(boost::json::object{
        {"targets", boost::json::array{boost::json::value(t.address)}},
        {"labels", boost::json::object{{"job", t.job},
                                       {"sentinel_server", t.server_name},
                                       {"sentinel_server_id", std::to_string(t.server_id)}}},
    });
  }
  return out;
}

}  // namespace sentinel::domain
