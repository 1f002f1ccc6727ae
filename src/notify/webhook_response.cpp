#include "notify/webhook_response.hpp"

#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>


namespace sentinel::notify {

namespace {

std::optional<std::chrono::seconds> delay_seconds(std::optional<std::string_view> header) {
  if (!header) return std::nullopt;
  std::string_view s = *header;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  // Digits past int64 ask for "very long": the longest wait, not a parse error.
  if (ec == std::errc::result_out_of_range) return max_requested_wait;
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return bounded_requested_wait(n);
}

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
    r.retry_after = delay_seconds(retry_after);
    return r;
  }
  return result(DeliveryStatus::failed, detail);
}

DeliveryResult webhook_network_failure(std::string_view detail) {
  return result(DeliveryStatus::retry, std::string(detail));
}

}  // namespace sentinel::notify
