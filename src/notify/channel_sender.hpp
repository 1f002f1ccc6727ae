#pragma once
// The one entry point the dispatcher calls for a channel stored as data
// (product.md §9): format a group for the channel's type, send it, and say
// what came of it. Types: telegram, webhook, slack, discord, pagerduty,
// alertmanager, ntfy, email.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/time.hpp"
#include "notify/alert_group.hpp"
#include "notify/delivery_result.hpp"
#include "notify/email_channel.hpp"
#include "notify/outbound_request.hpp"

namespace sentinel::core {
class BlockingPool;
}
namespace sentinel::http_client {
class Transport;
}

namespace sentinel::notify {

struct ChannelLimits {
  std::size_t max_response_bytes = 1 << 20;  // a target's answer is read up to this; more is a transport failure
};

// What sending needs besides the channel and the group. Borrowed: it must
// outlive every send_to_channel() awaiting with it.
struct ChannelSendContext {
  ChannelSendContext(http_client::Transport& http_transport, core::BlockingPool& blocking_pool)
      : http(http_transport), blocking(blocking_pool) {}

  http_client::Transport& http;  // http_client::HttpClient in production
  core::BlockingPool& blocking;  // SMTP is blocking curl: it runs there
  std::chrono::seconds request_timeout{10};  // each request, connect included
  std::optional<std::string> https_proxy;    // HTTP channels only
  std::optional<std::string> no_proxy;
  ChannelLimits limits;
  core::Clock clock = core::system_now;  // when an answer came (a Retry-After date is relative to it)
};

// The channel types, in the order the API lists them.
bool is_channel_type(std::string_view type);

// What a group comes to for a channel: HTTP requests, or one email.
using ChannelPlan = std::variant<RequestPlan, EmailPlan>;

// The requests (or email) for `group` on a channel of `type` with
// `settings`, without sending anything. Fails with
// "<type> channel: <problem>" for an unknown type or a missing or invalid
// setting.
std::expected<ChannelPlan, std::string> plan_channel(std::string_view type, const boost::json::object& settings,
                                                     const AlertGroup& group);

// Formats and sends. Several requests (PagerDuty: one per alert;
// Alertmanager: one per URL) are all sent — PagerDuty's one after the other,
// stopping at the first not delivered (its rate limit or outage meets the
// rest too, and a retry sends them all again: PagerDuty folds a repeated
// trigger into its open alert); Alertmanager's at once — and the result is
// the worst of them (failed, then retry, then delivered; the longest
// Retry-After of the retries). Settings that cannot work → failed, with the
// problem. Never throws for a target's failure; every detail is bounded and
// free of secrets. `type`, `settings`, `group` and `ctx` must outlive the
// await.
boost::asio::awaitable<DeliveryResult> send_to_channel(std::string_view type, const boost::json::object& settings,
                                                       const AlertGroup& group, ChannelSendContext& ctx);

// A synthetic group for the console's "send test" button: one firing alert
// of a rule named "Sentinel test notification" (severity info), which says
// plainly that it is a test of channel `channel_name`; links to the
// console's events page when `public_url` is set.
AlertGroup test_group(std::string_view channel_name, std::optional<std::string> public_url, core::Timestamp now);

}  // namespace sentinel::notify
