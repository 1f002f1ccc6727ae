#pragma once
// Where Redis is (REDIS_URL) and one blocking hiredis connection to it,
// authenticated and on its database: what EventChannel and Client share.
#include <chrono>
#include <memory>
#include <string>

struct redisContext;
struct redisReply;

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

struct ContextDeleter {
  void operator()(redisContext* c) const;
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
  void operator()(redisReply* r) const;
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

// Connects within `timeout`, with TCP keep-alive (notices a silently dead
// peer), AUTH and SELECT done; later commands time out after
// `command_timeout` (zero: never, for a subscription that waits for
// messages). nullptr when Redis cannot be reached or refuses.
Context connect(const RedisAddress& address, std::chrono::milliseconds timeout,
                std::chrono::milliseconds command_timeout);

}  // namespace sentinel::redis
