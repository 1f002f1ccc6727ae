#include "redis/event_channel.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <chrono>

namespace sentinel::redis {

namespace {

constexpr auto connect_timeout = std::chrono::seconds(2);
constexpr auto command_timeout = std::chrono::seconds(2);
constexpr auto reconnect_pause = std::chrono::seconds(1);

Reply command(redisContext* c, const char* format, const std::string& a) {
  return Reply(static_cast<redisReply*>(redisCommand(c, format, a.c_str())));
}

}  // namespace

EventChannel::EventChannel(RedisAddress address, std::string channel)
    : address_(std::move(address)), channel_(std::move(channel)) {}

EventChannel::~EventChannel() { stop(); }

Context EventChannel::connect(bool subscription) const {
  // A subscription waits for messages as long as it takes.
  return redis::connect(address_, connect_timeout,
                        subscription ? std::chrono::milliseconds::zero() : std::chrono::milliseconds(command_timeout));
}

bool EventChannel::publish(const std::string& message) {
  std::lock_guard lock(publish_mutex_);
  for (int attempt = 0; attempt < 2; ++attempt) {  // once more on a fresh connection
    if (!publisher_) publisher_ = connect(false);
    if (publisher_) {
      Reply r(static_cast<redisReply*>(
          redisCommand(publisher_.get(), "PUBLISH %s %b", channel_.c_str(), message.data(), message.size())));
      if (r && r->type != REDIS_REPLY_ERROR) {
        if (publish_failed_) spdlog::info("redis: publishing events again");
        publish_failed_ = false;
        return true;
      }
      publisher_.reset();
    }
  }
  if (!publish_failed_)
    spdlog::warn("redis: cannot publish an alert event to {}:{}; /ws/events clients of other processes miss it",
                 address_.host, address_.port);
  publish_failed_ = true;
  return false;
}

bool EventChannel::ping() {
  auto c = connect(false);
  if (!c) return false;
  Reply r(static_cast<redisReply*>(redisCommand(c.get(), "PING")));
  return r && r->type != REDIS_REPLY_ERROR;
}

void EventChannel::subscribe(std::function<void(const std::string&)> on_message) {
  subscriber_ = std::thread([this, on_message = std::move(on_message)] { subscriber_loop(on_message); });
}

void EventChannel::stop() {
  if (stopping_.exchange(true)) return;
  // Unblocks a subscriber waiting in redisGetReply.
  if (const int fd = subscriber_fd_.load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);
  if (subscriber_.joinable()) subscriber_.join();
}

void EventChannel::subscriber_loop(std::function<void(const std::string&)> on_message) {
  bool reported = false;
  while (!stopping_) {
    auto c = connect(true);
    Reply subscribed = c ? command(c.get(), "SUBSCRIBE %s", channel_) : nullptr;
    if (!subscribed || subscribed->type == REDIS_REPLY_ERROR) {
      if (!reported) spdlog::warn("redis: cannot subscribe to {} at {}:{}; retrying", channel_, address_.host, address_.port);
      reported = true;
      std::this_thread::sleep_for(reconnect_pause);
      continue;
    }
    if (reported) spdlog::info("redis: subscribed to {} again", channel_);
    reported = false;
    subscriber_fd_ = c->fd;
    if (stopping_) break;
    while (!stopping_) {
      void* raw = nullptr;
      if (redisGetReply(c.get(), &raw) != REDIS_OK) break;  // connection lost or stop()
      Reply reply(static_cast<redisReply*>(raw));
      // ["message", channel, payload]
      if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
          reply->element[2]->type == REDIS_REPLY_STRING)
        on_message(std::string(reply->element[2]->str, reply->element[2]->len));
    }
    subscriber_fd_ = -1;
    if (!stopping_) {
      spdlog::warn("redis: subscription to {} lost; reconnecting", channel_);
      reported = true;
    }
  }
}

}  // namespace sentinel::redis
