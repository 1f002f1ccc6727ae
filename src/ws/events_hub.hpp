#pragma once
// /ws/events: every alert event created or resolved is pushed to every
// subscriber as {"type": "alert_event", "event": AlertEvent}. Frames are
// serialized once and queued per subscriber (bounded: a client that stops
// reading loses the oldest events, never the process its memory).
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "domain/alert_event.hpp"
#include "ws/metrics_session.hpp"

namespace sentinel::ws {

class EventsHub {
 public:
  // Events a subscriber may have queued before the oldest are dropped.
  static constexpr std::size_t max_queued_events = 256;

  // The frame for one event (what publish() sends; also what travels
  // between processes over Redis).
  static std::string frame_for(const domain::AlertEvent& event);

  // After shutdown() the session is closed with 1001 at once. Every
  // subscribe() is paired with an unsubscribe().
  void subscribe(const std::shared_ptr<MetricsSession>& session);
  void unsubscribe(const std::shared_ptr<MetricsSession>& session);

  // Thread-safe. Sends a frame made by frame_for() to every subscriber.
  void publish(std::string frame);

  // Closes every subscriber with 1001. Thread-safe.
  void shutdown();

  std::size_t sessions() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::weak_ptr<MetricsSession>> sessions_;
  bool stopping_ = false;
};

}  // namespace sentinel::ws
