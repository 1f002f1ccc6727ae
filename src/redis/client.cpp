#include "redis/client.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

namespace sentinel::redis {

namespace {

Value to_value(const redisReply& r) {
  Value v;
  switch (r.type) {
    case REDIS_REPLY_INTEGER:
      v.kind = Value::Kind::integer;
      v.integer = r.integer;
      break;
    case REDIS_REPLY_STRING:
      v.kind = Value::Kind::string;
      v.text.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      v.kind = Value::Kind::status;
      v.text.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      v.kind = Value::Kind::error;
      v.text.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ARRAY:
      v.kind = Value::Kind::array;
      v.elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) v.elements.push_back(to_value(*r.element[i]));
      break;
    default:
      break;  // nil
  }
  return v;
}

}  // namespace

Client::Client(RedisAddress address, ClientOptions options)
    : address_(std::move(address)), options_(std::move(options)) {}

bool Client::available() {
  std::lock_guard lock(mutex_);
  return context_ || std::chrono::steady_clock::now() >= retry_at_;
}

std::optional<Value> Client::command(std::initializer_list<std::string_view> args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  std::lock_guard lock(mutex_);
  if (!context_ && std::chrono::steady_clock::now() < retry_at_) return std::nullopt;  // pausing
  // A kept connection may have died with a restarted Redis: one more try on a fresh one.
  for (bool fresh = !context_; ; fresh = true) {
    if (!context_) context_ = connect(address_, options_.timeout, options_.timeout);
    if (context_) {
      Reply r(static_cast<redisReply*>(
          redisCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
      if (r) {
        if (down_) spdlog::info("redis: {}:{} answers again; shared state is used again", address_.host, address_.port);
        down_ = false;
        return to_value(*r);
      }
      context_.reset();  // a hiredis context is unusable after an I/O error
    }
    if (fresh) break;
  }
  retry_at_ = std::chrono::steady_clock::now() + options_.retry_pause;
  if (!down_)
    spdlog::warn("redis: {}:{} does not answer (retrying every {} ms){}{}", address_.host, address_.port,
                 options_.retry_pause.count(), options_.degraded.empty() ? "" : "; meanwhile ", options_.degraded);
  down_ = true;
  return std::nullopt;
}

}  // namespace sentinel::redis
