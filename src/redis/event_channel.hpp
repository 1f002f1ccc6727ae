#pragma once
// One Redis pub/sub channel, for alert events between processes: workers
// publish the events they record, every API process subscribes and pushes
// them to its /ws/events clients. Blocking hiredis on purpose: publish()
// runs on the blocking pool, the subscription on its own thread. Redis
// going away degrades only this (events are still recorded and notified);
// both sides reconnect by themselves.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct redisContext;

namespace sentinel::redis {

struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string password;  // empty: no AUTH
};

// redis://[:password@]host[:port][/db]; nullopt-like failure as an exception
// (std::invalid_argument) naming what is wrong. config/ validates REDIS_URL
// at start, so this only fails for a URL that slipped past it.
RedisAddress parse_redis_url(const std::string& url);

class EventChannel {
 public:
  EventChannel(RedisAddress address, std::string channel);
  ~EventChannel();  // stop()s
  EventChannel(const EventChannel&) = delete;
  EventChannel& operator=(const EventChannel&) = delete;

  // Starts the subscriber thread; `on_message` runs on it for every message.
  void subscribe(std::function<void(const std::string&)> on_message);
  void stop();

  // Blocking. False (and logged once per outage) when Redis cannot be reached.
  bool publish(const std::string& message);

  // Blocking round trip for readiness. Never throws.
  bool ping();

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  using Context = std::unique_ptr<redisContext, ContextDeleter>;
  Context connect() const;  // nullptr when unreachable
  void subscriber_loop(std::function<void(const std::string&)> on_message);

  RedisAddress address_;
  std::string channel_;
  std::mutex publish_mutex_;  // guards publisher_ and publish_failed_
  Context publisher_;
  bool publish_failed_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<int> subscriber_fd_{-1};
  std::thread subscriber_;
};

}  // namespace sentinel::redis
