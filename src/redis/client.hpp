#pragma once
// A small blocking Redis client for shared state (login rate limits, metric
// snapshots): one connection, reconnected by itself. Every command has a
// short deadline, and after a failure no connection is tried for a pause,
// so an unreachable Redis costs callers nothing but the first timeout; the
// outage and the recovery are each logged once. Call from the blocking pool
// (or wherever a few milliseconds of blocking are acceptable). Thread-safe:
// commands take turns on the connection.
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/connection.hpp"

namespace sentinel::redis {

// A Redis reply as a plain value.
struct Value {
  enum class Kind { nil, integer, string, array, status, error };
  Kind kind = Kind::nil;
  std::int64_t integer = 0;
  std::string text;  // string, status and error replies
  std::vector<Value> elements;
};

struct ClientOptions {
  std::chrono::milliseconds timeout{250};         // connect, and each command
  std::chrono::milliseconds retry_pause{1000};    // after a failure, before connecting again
  // Completes the warning logged when Redis becomes unreachable: what
  // degrades meanwhile (e.g. "login rate limits are per process").
  std::string degraded;
};

class Client {
 public:
  Client(RedisAddress address, ClientOptions options);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Runs one command given as its arguments (binary safe). nullopt when
  // Redis could not be reached or did not answer in time (the connection
  // is then dropped); an error reply ("-ERR ...") is a Value of kind error.
  std::optional<Value> command(std::initializer_list<std::string_view> args);

  // False during the pause after a failure: command() would return nullopt
  // at once.
  bool available();

 private:
  RedisAddress address_;
  ClientOptions options_;
  std::mutex mutex_;
  Context context_;
  std::chrono::steady_clock::time_point retry_at_{};
  bool down_ = false;  // an outage was logged and not yet its end
};

}  // namespace sentinel::redis
