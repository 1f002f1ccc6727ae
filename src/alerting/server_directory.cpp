#include "alerting/server_directory.hpp"

#include "core/blocking.hpp"

namespace sentinel::alerting {

boost::asio::awaitable<std::shared_ptr<const ServerIndex>> ServerDirectory::current() {
  {
    std::lock_guard lock(mutex_);
    if (index_ && std::chrono::steady_clock::now() - loaded_at_ < max_age_) co_return index_;
  }
  // Several evaluations may reload at once when the snapshot expires; each
  // gets a correct snapshot and the last one stays. Cheaper than making
  // them wait for each other.
  auto load = [this] {
    auto index = std::make_shared<ServerIndex>();
    for (auto& s : store_.servers()) {
      index->id_by_instance.emplace(s.instance, s.id);
      const auto id = s.id;
      index->by_id.emplace(id, std::move(s));
    }
    return std::shared_ptr<const ServerIndex>(std::move(index));
  };
  auto fresh = co_await blocking_.run(std::move(load));
  std::lock_guard lock(mutex_);
  index_ = fresh;
  loaded_at_ = std::chrono::steady_clock::now();
  co_return fresh;
}

}  // namespace sentinel::alerting
