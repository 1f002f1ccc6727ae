#include <gtest/gtest.h>

#include "notify/webhook_response.hpp"

namespace sentinel::notify {
namespace {

using std::chrono::seconds;

TEST(ClassifyWebhookResponse, SuccessIsAny2xx) {
  EXPECT_EQ(classify_webhook_response(200, std::nullopt, "").status, DeliveryStatus::delivered);
  EXPECT_EQ(classify_webhook_response(204, std::nullopt, "").status, DeliveryStatus::delivered);
}

TEST(ClassifyWebhookResponse, ServerErrorsAndThrottlingAreRetried) {
  EXPECT_EQ(classify_webhook_response(500, std::nullopt, "boom").status, DeliveryStatus::retry);
  EXPECT_EQ(classify_webhook_response(503, std::nullopt, "").status, DeliveryStatus::retry);
  EXPECT_EQ(classify_webhook_response(408, std::nullopt, "").status, DeliveryStatus::retry);
  const auto r = classify_webhook_response(429, " 30 ", "slow down");
  EXPECT_EQ(r.status, DeliveryStatus::retry);
  EXPECT_EQ(r.retry_after, seconds{30});
  EXPECT_EQ(r.detail, "webhook: HTTP 429: slow down");
}

TEST(ClassifyWebhookResponse, HttpDateRetryAfterFallsBackToBackoff) {
  EXPECT_FALSE(classify_webhook_response(503, "Wed, 21 Oct 2015 07:28:00 GMT", "").retry_after.has_value());
}

TEST(ClassifyWebhookResponse, ClientErrorsArePermanent) {
  const auto r = classify_webhook_response(404, std::nullopt, "");
  EXPECT_EQ(r.status, DeliveryStatus::failed);
  EXPECT_EQ(r.detail, "webhook: HTTP 404");
  EXPECT_EQ(classify_webhook_response(401, std::nullopt, "").status, DeliveryStatus::failed);
  EXPECT_EQ(classify_webhook_response(301, std::nullopt, "").status, DeliveryStatus::failed);
}

TEST(ClassifyWebhookResponse, BodyInDetailIsBounded) {
  const auto r = classify_webhook_response(500, std::nullopt, std::string(10000, 'x'));
  EXPECT_LE(r.detail.size(), 512u);
}

TEST(WebhookNetworkFailure, Retried) {
  EXPECT_EQ(webhook_network_failure("Connection refused").status, DeliveryStatus::retry);
}

}  // namespace
}  // namespace sentinel::notify
