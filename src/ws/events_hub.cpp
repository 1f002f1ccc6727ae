#include "ws/events_hub.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "domain/json.hpp"
#include "http/json_text.hpp"

namespace sentinel::ws {

std::string EventsHub::frame_for(const domain::AlertEvent& event) {
  // The REST API's number spelling (95.5, not 9.55E1): the same event reads the same on both.
  return http::to_json_text(boost::json::object{{"type", "alert_event"}, {"event", domain::to_json(event)}});
}

void EventsHub::subscribe(const std::shared_ptr<MetricsSession>& session) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      sessions_.push_back(session);
      return;
    }
  }
  session->close(1001, "server shutting down");
}

void EventsHub::unsubscribe(const std::shared_ptr<MetricsSession>& session) {
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& w) {
    auto s = w.lock();
    return !s || s == session;
  });
}

void EventsHub::publish(std::string frame) {
  auto shared = std::make_shared<const std::string>(std::move(frame));
  std::vector<std::shared_ptr<MetricsSession>> targets;
  {
    std::lock_guard lock(mutex_);
    for (const auto& w : sessions_)
      if (auto s = w.lock()) targets.push_back(std::move(s));
  }
  for (const auto& s : targets) s->send(shared);  // outside the lock: send() takes the session's
}

void EventsHub::shutdown() {
  std::vector<std::shared_ptr<MetricsSession>> targets;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (const auto& w : sessions_)
      if (auto s = w.lock()) targets.push_back(std::move(s));
  }
  for (const auto& s : targets) s->close(1001, "server shutting down");
}

std::size_t EventsHub::sessions() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace sentinel::ws
