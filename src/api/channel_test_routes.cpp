// POST /api/v1/alerts/channels/{id}/test (product.md §9): sends a test
// message through the channel now, with its stored settings, and answers
// what the target said — the "test" button of Uptime Kuma and Grafana's
// contact points. Nothing is recorded: no event, no outbox row.
#include <boost/json/object.hpp>

#include "api/authenticated.hpp"
#include "api/handlers.hpp"
#include "api/request_parsing.hpp"
#include "api/services.hpp"
#include "config/config.hpp"
#include "core/blocking.hpp"
#include "http/responses.hpp"
#include "notify/channel_sender.hpp"
#include "storage/channel_repository.hpp"

namespace sentinel::api::channels {

namespace {

std::string_view status_name(notify::DeliveryStatus s) {
  switch (s) {
    case notify::DeliveryStatus::delivered: return "delivered";
    case notify::DeliveryStatus::retry: return "retry";
    case notify::DeliveryStatus::failed: return "failed";
  }
  return "failed";
}

}  // namespace

// 200 {"status": "delivered", …} when the target accepted the message;
// 502 {"detail": <the target's answer>, "status": "retry" | "failed",
// "retry_after_sec"?} when it did not (a temporary failure — 5xx, 429,
// timeout — is "retry": the outbox would try again). 404 for an unknown
// channel; 409 when its secrets cannot be decrypted with this SECRET_KEY.
AsyncResponse test_channel(Services& s, Request& req) {
  // The check and the channel's read (secrets in clear) in one hop on the
  // blocking pool; the send on the I/O executor.
  auto load = [&s, &req](const Caller&) -> core::Result<domain::ResolvedChannel> {
    auto id = path_id(req, "channel_id");
    if (!id) return core::fail(id.error());
    auto channel = s.channels.resolve(*id);
    // A secret sealed under another SECRET_KEY is the operator's to fix
    // (`sentinel channels rekey`), not a server fault: say so, not 500.
    if (!channel && channel.error().kind == core::ErrorKind::internal)
      return core::fail(core::Error{core::ErrorKind::conflict,
                                    "the channel's secrets cannot be decrypted with this SECRET_KEY; run "
                                    "`sentinel channels rekey` or set them again",
                                    {},
                                    0});
    return channel;
  };
  auto then = [&s](domain::ResolvedChannel channel) -> boost::asio::awaitable<Response> {
    if (!s.notify_http) co_return http::error_response(core::Error::unavailable("notifications are not sent by this process"));
    const auto group = notify::test_group(channel.name, s.config.public_url, core::system_now());
    notify::ChannelSendContext ctx{*s.notify_http, s.blocking};
    ctx.https_proxy = s.config.https_proxy;
    ctx.no_proxy = s.config.no_proxy;
    notify::DeliveryResult result = co_await notify::send_to_channel(channel.type, channel.settings, group, ctx);
    boost::json::object body;
    body["channel_id"] = channel.id;
    body["status"] = status_name(result.status);
    if (result.status == notify::DeliveryStatus::delivered) co_return http::json_response(200, body);
    body["detail"] = result.detail;
    if (result.retry_after) body["retry_after_sec"] = result.retry_after->count();
    co_return http::json_response(502, body);
  };
  co_return co_await authenticated_then<domain::ResolvedChannel>(s, req, std::move(load), std::move(then));
}

}  // namespace sentinel::api::channels
