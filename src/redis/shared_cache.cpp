#include "redis/shared_cache.hpp"

#include <boost/asio/post.hpp>
#include <algorithm>
#include <cstdint>

#include "core/blocking.hpp"
#include "redis/client.hpp"

namespace sentinel::redis {

boost::asio::awaitable<std::optional<std::string>> SharedCache::get(const std::string& key) {
  if (!redis_.available()) co_return std::nullopt;
  auto lookup = [this, &key]() -> std::optional<std::string> {
    auto r = redis_.command({"GET", key});
    if (!r || r->kind != Value::Kind::string) return std::nullopt;
    return std::move(r->text);
  };
  co_return co_await blocking_.run(std::move(lookup));
}

void SharedCache::put(std::string key, std::string value, std::chrono::milliseconds ttl) {
  if (ttl.count() <= 0 || !redis_.available()) return;
  boost::asio::post(blocking_.pool(), [this, key = std::move(key), value = std::move(value), ttl] {
    redis_.command({"SET", key, value, "PX", std::to_string(ttl.count())});
  });
}

boost::asio::awaitable<bool> SharedCache::claim(const std::string& key, std::chrono::milliseconds ttl) {
  if (!redis_.available()) co_return true;
  auto take = [this, &key, ttl]() -> bool {
    auto r = redis_.command({"SET", key, "1", "NX", "PX", std::to_string(std::max<std::int64_t>(1, ttl.count()))});
    if (!r) return true;                    // unreachable: nobody to coordinate with
    return r->kind == Value::Kind::status;  // "+OK"; nil: another process holds it
  };
  co_return co_await blocking_.run(std::move(take));
}

}  // namespace sentinel::redis
