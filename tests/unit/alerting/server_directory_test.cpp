// ServerDirectory on a real SQLite store: an expired snapshot is reloaded
// by one caller while the others go on with the previous one, instead of
// every evaluation in flight reading every server again.
#include "alerting/server_directory.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <latch>

#include "core/blocking.hpp"
#include "storage/database.hpp"
#include "sqlite_fixture.hpp"
#include "storage/server_repository.hpp"

using namespace sentinel;
namespace asio = boost::asio;

namespace {

class ServerDirectoryTest : public sentinel::testing::SqliteTest {
 protected:
  ServerDirectoryTest() : SqliteTest("directory") {}
  void add_server(const std::string& name, const std::string& instance) {
    domain::ServerCreate s;
    s.name = name;
    s.job_name = "node";
    s.instance = instance;
    ASSERT_TRUE(storage::ServerRepository(*db_, core::system_now).create(s, domain::AuditActor::cli()));
  }
};

}  // namespace

TEST_F(ServerDirectoryTest, OneCallerReloadsWhileTheOthersUseThePreviousSnapshot) {
  add_server("web-1", "10.0.0.1:9100");
  storage::AlertEngineStore store(*db_, core::system_now);
  core::BlockingPool blocking(1);  // one thread: a job can hold the reload back
  alerting::ServerDirectory directory(store, blocking, std::chrono::milliseconds(0));  // always expired
  asio::io_context io;
  auto current = [&]() -> std::shared_ptr<const alerting::ServerIndex> {
    std::shared_ptr<const alerting::ServerIndex> out;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await directory.current(); }, asio::detached);
    io.restart();
    io.run();
    return out;
  };

  const auto first = current();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id_by_instance.size(), 1u);
  add_server("web-2", "10.0.0.2:9100");

  // The pool's thread is busy: the next reload waits behind it.
  std::latch release(1);
  asio::post(blocking.pool(), [&release] { release.wait(); });
  std::shared_ptr<const alerting::ServerIndex> reloaded, meanwhile;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { reloaded = co_await directory.current(); }, asio::detached);
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { meanwhile = co_await directory.current(); }, asio::detached);
  io.restart();
  io.run_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(reloaded);                // waiting for the pool
  EXPECT_EQ(meanwhile.get(), first.get());  // did not wait: the previous snapshot
  release.count_down();
  io.restart();
  io.run();
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded->id_by_instance.size(), 2u);

  const auto after = current();  // expired again: reloaded again (no reload is under way)
  ASSERT_TRUE(after);
  EXPECT_NE(after.get(), reloaded.get());
  EXPECT_EQ(after->id_by_instance.size(), 2u);
  blocking.join();
}

// A fleet rule's evaluation that meets an unknown instance asks for a read
// made after it began: a server registered just before is found, however
// young the snapshot; a read made after `since` is reused, not repeated.
TEST_F(ServerDirectoryTest, FreshSinceSeesAServerRegisteredBeforeIt) {
  add_server("web-1", "10.0.0.1:9100");
  storage::AlertEngineStore store(*db_, core::system_now);
  core::BlockingPool blocking(1);
  alerting::ServerDirectory directory(store, blocking, std::chrono::hours(1));  // never expires by age
  asio::io_context io;
  auto run = [&](auto make) {
    std::shared_ptr<const alerting::ServerIndex> out;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { out = co_await make(); }, asio::detached);
    io.restart();
    io.run();
    return out;
  };
  const auto first = run([&] { return directory.current(); });
  ASSERT_TRUE(first);
  add_server("web-2", "10.0.0.2:9100");
  const auto since = std::chrono::steady_clock::now();
  EXPECT_EQ(run([&] { return directory.current(); }).get(), first.get()) << "young snapshot: reused";
  const auto fresh = run([&] { return directory.fresh_since(since); });
  ASSERT_TRUE(fresh);
  EXPECT_GE(fresh->read_at, since);
  EXPECT_TRUE(fresh->id_by_instance.contains("10.0.0.2:9100"));
  EXPECT_EQ(run([&] { return directory.fresh_since(since); }).get(), fresh.get()) << "read after since: reused";
  EXPECT_EQ(run([&] { return directory.current(); }).get(), fresh.get()) << "the newest read is the snapshot";
  blocking.join();
}
