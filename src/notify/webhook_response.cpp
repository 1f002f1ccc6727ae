#include "notify/webhook_response.hpp"

#include <string>

#include "notify/retry_after.hpp"


namespace sentinel::notify {

namespace {

DeliveryResult result(DeliveryStatus status, std::string detail) {
  DeliveryResult r;
  r.status = status;
  r.detail = bounded_detail("webhook: " + detail);
  return r;
}

}  // namespace

DeliveryResult classify_webhook_response(long http_status, std::optional<std::string_view> retry_after,
                                         std::string_view body) {
  if (http_status >= 200 && http_status < 300) {
    DeliveryResult r;
    r.status = DeliveryStatus::delivered;
    return r;
  }
  std::string detail = "HTTP " + std::to_string(http_status);
  if (!body.empty()) detail += ": " + std::string(body.substr(0, 300));
  if (http_status == 429 || http_status == 408 || (http_status >= 500 && http_status < 600)) {
    DeliveryResult r = result(DeliveryStatus::retry, detail);
    if (retry_after) r.retry_after = retry_after_seconds(*retry_after);
    return r;
  }
  return result(DeliveryStatus::failed, detail);
}

DeliveryResult webhook_network_failure(std::string_view detail) {
  return result(DeliveryStatus::retry, std::string(detail));
}

}  // namespace sentinel::notify
