// /api/v1/sd/targets: the inventory as Prometheus's HTTP service discovery
// (http_sd_configs), product.md §10.
#include <limits>

#include "api/handlers.hpp"
#include "api/services.hpp"
#include "domain/scrape_targets.hpp"
#include "http/responses.hpp"
#include "storage/server_repository.hpp"

namespace sentinel::api {

namespace sd {

// Every active server, unpaged: Prometheus reads the whole answer on each
// refresh and has no paging. The inventory is the bound, as for the fleet
// summary (a few hundred bytes per server).
Response targets(Services& s, const Request&) {
  const auto servers = s.servers.list({true, 0, std::numeric_limits<std::int64_t>::max()});
  return http::json_response(200, domain::to_http_sd_json(domain::scrape_targets(servers)));
}

}  // namespace sd

}  // namespace sentinel::api
