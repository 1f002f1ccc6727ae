#pragma once
// One WebSocket client of /ws/metrics/{server_id}: a bounded queue of
// frames to send, one writer, one reader (control frames, close). Frames
// are shared between all subscribers of a server (serialized once).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace sentinel::ws {

using Frame = std::shared_ptr<const std::string>;
using WebSocketStream = boost::beast::websocket::stream<boost::beast::tcp_stream>;

class MetricsSession : public std::enable_shared_from_this<MetricsSession> {
 public:
  // At most this many frames wait for a slow client; older ones are dropped
  // (a live view only needs the newest values).
  static constexpr std::size_t max_queued_frames = 4;

  // `max_queued` overrides max_queued_frames (/ws/events keeps more: each
  // of its frames is a distinct event, not a newer copy of the same view).
  MetricsSession(WebSocketStream ws, std::int64_t server_id, std::size_t max_queued = max_queued_frames);

  // Thread-safe. Queues `frame`, dropping the oldest queued one when full.
  void send(Frame frame);

  // Thread-safe. Queues `delta`, a change to the frames queued before it;
  // when the queue is full, replaces everything queued with `full` (the
  // whole state) instead of dropping a change (/ws/fleet?delta=1).
  void send_or_resync(Frame delta, const Frame& full);

  // Thread-safe. Sends what is queued, then closes with `code` (4404 when
  // the server is deleted, 1001 on shutdown).
  void close(std::uint16_t code, std::string reason);

  // Runs until the connection ends (peer closed, dead peer, close()).
  boost::asio::awaitable<void> run();

  std::int64_t server_id() const { return server_id_; }
  // The stream, for a close before run() (a session refused after the handshake).
  WebSocketStream& stream() { return ws_; }
  std::uint64_t frames_dropped() const;

 private:
  boost::asio::awaitable<void> write_loop();
  void wake_writer();

  WebSocketStream ws_;
  std::int64_t server_id_;
  std::size_t max_queued_;
  boost::asio::steady_timer wake_;  // the writer sleeps on it; cancel() wakes it

  mutable std::mutex mutex_;  // guards the members below
  std::deque<Frame> queue_;
  std::optional<std::pair<std::uint16_t, std::string>> close_request_;
  bool finished_ = false;
  std::uint64_t dropped_ = 0;
};

}  // namespace sentinel::ws
