#pragma once
// One Redis pub/sub channel, for alert events between processes: workers
// publish the events they record, every API process subscribes and pushes
// them to its /ws/events clients. Blocking hiredis on purpose: publish()
// runs on the blocking pool, the subscription on its own thread. Redis
// going away degrades only this (events are still recorded and notified);
// both sides reconnect by themselves.
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "redis/connection.hpp"

namespace sentinel::redis {

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
  Context connect(bool subscription) const;  // nullptr when unreachable
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
