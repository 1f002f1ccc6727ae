#include "ws/metrics_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

namespace sentinel::ws {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

MetricsSession::MetricsSession(WebSocketStream ws, std::int64_t server_id, std::size_t max_queued)
    : ws_(std::move(ws)), server_id_(server_id), max_queued_(max_queued), wake_(ws_.get_executor()) {}

void MetricsSession::send(Frame frame) {
  {
    std::lock_guard lock(mutex_);
    if (finished_ || close_request_) return;
    if (queue_.size() >= max_queued_) {
      queue_.pop_front();
      ++dropped_;
    }
    queue_.push_back(std::move(frame));
  }
  wake_writer();
}

void MetricsSession::send_or_resync(Frame delta, const Frame& full) {
  {
    std::lock_guard lock(mutex_);
    if (finished_ || close_request_) return;
    if (queue_.size() >= max_queued_) {
      dropped_ += queue_.size();
      queue_.clear();
      queue_.push_back(full);
    } else {
      queue_.push_back(std::move(delta));
    }
  }
  wake_writer();
}

void MetricsSession::close(std::uint16_t code, std::string reason) {
  {
    std::lock_guard lock(mutex_);
    if (finished_ || close_request_) return;
    close_request_.emplace(code, std::move(reason));
  }
  wake_writer();
}

std::uint64_t MetricsSession::frames_dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void MetricsSession::wake_writer() {
  // The timer belongs to the connection's strand: cancel it there.
  asio::post(ws_.get_executor(), [self = shared_from_this()] { self->wake_.cancel(); });
}

asio::awaitable<void> MetricsSession::write_loop() {
  auto self = shared_from_this();
  for (;;) {
    Frame frame;
    std::optional<std::pair<std::uint16_t, std::string>> close_request;
    {
      std::lock_guard lock(mutex_);
      if (finished_) co_return;
      if (!queue_.empty()) {
        frame = std::move(queue_.front());
        queue_.pop_front();
      } else if (close_request_) {
        close_request = close_request_;
      }
    }
    if (frame) {
      auto [ec, n] = co_await ws_.async_write(asio::buffer(*frame), use_nothrow);
      if (ec) co_return;  // the reader sees the broken connection too
      continue;
    }
    if (close_request) {
      websocket::close_reason reason(close_request->first);
      reason.reason = close_request->second;
      co_await ws_.async_close(reason, use_nothrow);
      co_return;
    }
    // Nothing to send: sleep until send()/close() or the end of the session.
    wake_.expires_at(asio::steady_timer::time_point::max());
    co_await wake_.async_wait(use_nothrow);
  }
}

asio::awaitable<void> MetricsSession::run() {
  auto self = shared_from_this();
  asio::co_spawn(ws_.get_executor(), write_loop(), asio::detached);
  // Reading drives control frames: pongs to our keep-alive pings (a peer
  // that stops answering is dropped by the stream's idle timeout) and the
  // peer's close. Clients are not expected to send data; it is discarded.
  boost::beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws_.async_read(buffer, use_nothrow);
    if (ec) break;
    buffer.consume(buffer.size());
    if (buffer.capacity() > 4096) buffer.shrink_to_fit();
  }
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
    queue_.clear();
  }
  wake_.cancel();
}

}  // namespace sentinel::ws
