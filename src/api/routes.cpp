#include "api/services.hpp"
#include "http/router.hpp"

namespace sentinel::api {

void register_routes(http::Router& router, Services& services) {
  register_health_routes(router, services);
  register_auth_routes(router, services);
  register_user_routes(router, services);
  register_server_routes(router, services);
  register_alert_rule_routes(router, services);
  register_alert_event_routes(router, services);
  register_silence_routes(router, services);
  register_metrics_routes(router, services);
  register_self_metrics_routes(router, services);
  register_docs_routes(router);
}

}  // namespace sentinel::api
