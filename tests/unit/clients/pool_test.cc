// SPDX-License-Identifier: Apache-2.0
#include "clients/pool.h"

#include <atomic>
#include <thread>

#include "clients/errors.h"
#include "gtest/gtest.h"
#include "tests/unit/clients/fake_server.h"

namespace sessionkv::client {
namespace {

using testing::FakeServer;
using std::chrono::milliseconds;

std::string Pong(const std::vector<std::string>& args) {
  return args[0] == "PING" ? "+PONG\r\n" : "-ERR unknown\r\n";
}

ConnectOptions To(const FakeServer& s) {
  ConnectOptions o;
  o.port = s.port();
  return o;
}

TEST(PoolTest, ReusesConnectionsAndNeverOpensMoreThanTheLimit) {
  FakeServer server([](int fd) { FakeServer::Serve(fd, Pong); });
  ConnectionPool pool(To(server), 3);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto c = pool.Acquire();
        ASSERT_TRUE(c.ok()) << c.status();
        EXPECT_LE(pool.open(), 3u);
        if ((*c)->Call("PING").ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8 * 50);
  EXPECT_LE(server.accepted(), 3);
  EXPECT_EQ(pool.idle(), pool.open());
}

TEST(PoolTest, AcquireTimesOutWhenAllAreLeased) {
  FakeServer server([](int fd) { FakeServer::Serve(fd, Pong); });
  ConnectionPool pool(To(server), 1);
  auto first = pool.Acquire();
  ASSERT_TRUE(first.ok());
  auto second = pool.Acquire(milliseconds(50));
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(IsTimeout(second.status()));
  // Given back from another thread, the waiter gets it.
  std::thread giver([lease = std::move(*first)]() mutable {
    std::this_thread::sleep_for(milliseconds(50));
    ConnectionPool::Lease dropped = std::move(lease);
  });
  auto third = pool.Acquire(milliseconds(5000));
  EXPECT_TRUE(third.ok()) << third.status();
  giver.join();
}

TEST(PoolTest, BrokenConnectionsAreDroppedNotReturned) {
  // The first connection's server closes at once; later ones answer.
  std::atomic<int> n{0};
  FakeServer server([&n](int fd) {
    if (n++ == 0) {
      ::shutdown(fd, SHUT_RDWR);
      return;
    }
    FakeServer::Serve(fd, Pong);
  });
  ConnectionPool pool(To(server), 1);
  {
    auto c = pool.Acquire();
    ASSERT_TRUE(c.ok());
    EXPECT_FALSE((*c)->Call("PING").ok());
    EXPECT_TRUE((*c)->broken());
  }
  EXPECT_EQ(pool.open(), 0u);
  auto c = pool.Acquire();
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE((*c)->Call("PING").ok());
}

TEST(PoolTest, ConnectFailureFreesTheSlot) {
  uint16_t port;
  { FakeServer closed([](int) {}); port = closed.port(); }
  ConnectOptions o;
  o.port = port;
  ConnectionPool pool(o, 1);
  auto c = pool.Acquire();
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(IsConnectFailure(c.status()));
  EXPECT_EQ(pool.open(), 0u);
}

}  // namespace
}  // namespace sessionkv::client
