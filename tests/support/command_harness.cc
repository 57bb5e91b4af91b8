// SPDX-License-Identifier: Apache-2.0
#include "tests/support/command_harness.h"

#include <mutex>

#include "gtest/gtest.h"

namespace sessionkv::testing {

CommandHarness::CommandHarness(protocol::RespVersion version) {
  keyspace_ = std::make_unique<storage::Keyspace>(config_.databases(), 4, &clock_);
  server::RegisterAllCommands(commands_);
  state_ = std::make_unique<server::ServerState>(config_, *keyspace_, commands_, clock_);
  dispatcher_ = std::make_unique<server::Dispatcher>(*state_);
  client_.info = std::make_shared<server::ClientInfo>(state_->clients.NextId(), "127.0.0.1:50000",
                                                      "127.0.0.1:6379", 7, clock_.NowMs());
  client_.resp = version;
  client_.authenticated = true;
}

std::string CommandHarness::RunRaw(const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::string out;
  protocol::ReplyWriter writer(&out, client_.resp);
  dispatcher_->Execute(views, client_, writer);
  return out;
}

protocol::RespValue CommandHarness::Run(const std::vector<std::string>& args) {
  const std::string raw = RunRaw(args);
  protocol::RespValue none;
  none.type = protocol::RespValue::Type::kNull;
  if (raw.empty()) return none;
  size_t consumed = 0;
  auto decoded = protocol::DecodeReply(raw, &consumed);
  EXPECT_TRUE(decoded.ok() && decoded->has_value() && consumed == raw.size())
      << "not exactly one reply: " << raw;
  if (!decoded.ok() || !decoded->has_value()) return none;
  return **decoded;
}

size_t CommandHarness::ExpireDue() {
  size_t n = 0;
  for (int s = 0; s < keyspace_->num_shards(); ++s) {
    storage::Shard& shard = keyspace_->shard(s);
    std::lock_guard lock(shard.mutex());
    n += keyspace_->ExpireDue(shard, clock_.NowMs(), SIZE_MAX);
  }
  return n;
}

}  // namespace sessionkv::testing
