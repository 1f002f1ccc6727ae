#include "redis/connection.hpp"

#include <hiredis/hiredis.h>

#include <boost/url/parse.hpp>
#include <stdexcept>

namespace sentinel::redis {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

}  // namespace

RedisAddress parse_redis_url(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) throw std::invalid_argument("REDIS_URL is not a URL");
  RedisAddress a;
  if (!u->host().empty()) a.host = u->host();
  if (u->has_port()) a.port = u->port_number();
  if (u->has_password()) a.password = u->password();
  const auto path = u->path();
  if (path.size() > 1) a.db = std::stoi(std::string(path.substr(1)));
  return a;
}

void ContextDeleter::operator()(redisContext* c) const { redisFree(c); }

void ReplyDeleter::operator()(redisReply* r) const { freeReplyObject(r); }

Context connect(const RedisAddress& address, std::chrono::milliseconds timeout,
                std::chrono::milliseconds command_timeout) {
  Context c(redisConnectWithTimeout(address.host.c_str(), address.port, to_timeval(timeout)));
  if (!c || c->err) return nullptr;
  redisEnableKeepAlive(c.get());
  // The connect timeout stays on the socket: clear it for a subscription.
  if (redisSetTimeout(c.get(), to_timeval(command_timeout)) != REDIS_OK) return nullptr;
  if (!address.password.empty()) {
    Reply r(static_cast<redisReply*>(redisCommand(c.get(), "AUTH %s", address.password.c_str())));
    if (!r || r->type == REDIS_REPLY_ERROR) return nullptr;
  }
  if (address.db != 0) {
    Reply r(static_cast<redisReply*>(redisCommand(c.get(), "SELECT %d", address.db)));
    if (!r || r->type == REDIS_REPLY_ERROR) return nullptr;
  }
  return c;
}

}  // namespace sentinel::redis
