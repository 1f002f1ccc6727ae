#include "alerting/server_directory.hpp"

#include "core/blocking.hpp"

namespace sentinel::alerting {

boost::asio::awaitable<std::shared_ptr<const ServerIndex>> ServerDirectory::current() {
  {
    std::lock_guard lock(mutex_);
    if (index_ && std::chrono::steady_clock::now() - loaded_at_ < max_age_) co_return index_;
    // One evaluation reloads an expired snapshot; the others meanwhile go on
    // with it (a few milliseconds older than max_age) instead of each
    // reading every server again: with 64 evaluations in flight that was
    // 3 % of the engine's CPU (bench/alerts). Without a snapshot, all load.
    if (index_ && reloading_) co_return index_;
    reloading_ = true;
  }
  std::shared_ptr<const ServerIndex> fresh;
  try {
    fresh = co_await load();
  } catch (...) {
    std::lock_guard lock(mutex_);
    reloading_ = false;
    throw;
  }
  std::lock_guard lock(mutex_);
  reloading_ = false;
  co_return fresh;
}

boost::asio::awaitable<std::shared_ptr<const ServerIndex>> ServerDirectory::fresh_since(
    std::chrono::steady_clock::time_point since) {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (index_ && index_->read_at >= since) co_return index_;
    }
    // A read under way may have begun before `since`: then read again.
    auto task = load();
    const std::string key = "servers";  // named: see core/single_flight.hpp
    auto index = co_await reads_.run(key, std::move(task));
    if (index->read_at >= since) co_return index;
  }
}

boost::asio::awaitable<std::shared_ptr<const ServerIndex>> ServerDirectory::load() {
  auto read = [this] {
    auto index = std::make_shared<ServerIndex>();
    index->read_at = std::chrono::steady_clock::now();
    for (auto& s : store_.servers()) {
      index->id_by_instance.emplace(s.instance, s.id);
      const auto id = s.id;
      index->by_id.emplace(id, std::move(s));
    }
    return std::shared_ptr<const ServerIndex>(std::move(index));
  };
  auto fresh = co_await blocking_.run(std::move(read));
  std::lock_guard lock(mutex_);
  if (!index_ || index_->read_at <= fresh->read_at) {
    index_ = fresh;
    loaded_at_ = std::chrono::steady_clock::now();
  }
  co_return fresh;
}

}  // namespace sentinel::alerting
