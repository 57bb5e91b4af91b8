// SPDX-License-Identifier: Apache-2.0
#include "tests/support/command_harness.h"

#include <mutex>

#include "base/strings.h"
#include "server/acl.h"
#include "gtest/gtest.h"

namespace sessionkv::testing {

namespace {
void InitClient(server::ClientState& client, server::ServerState& state, protocol::RespVersion version,
                int port) {
  client.info = std::make_shared<server::ClientInfo>(state.clients.NextId(), StrCat("127.0.0.1:", port),
                                                     "127.0.0.1:6379", 7, state.clock.NowMs());
  client.info->loopback = true;
  client.resp = version;
  server::SetDefaultAuth(state.acl, client);
  client.authenticated = true;
}
}  // namespace

CommandHarness::CommandHarness(protocol::RespVersion version) {
  keyspace_ = std::make_unique<storage::Keyspace>(config_.databases(), 4, &clock_);
  server::RegisterAllCommands(commands_);
  state_ = std::make_unique<server::ServerState>(config_, *keyspace_, commands_, clock_);
  dispatcher_ = std::make_unique<server::Dispatcher>(*state_);
  InitClient(client_, *state_, version, 50000);
}

server::ClientState& CommandHarness::AddClient(protocol::RespVersion version) {
  server::ClientState& client = other_clients_.emplace_back();
  InitClient(client, *state_, version, 50000 + static_cast<int>(other_clients_.size()));
  return client;
}

std::string CommandHarness::RunRaw(const std::vector<std::string>& args) { return RunRawAs(client_, args); }

std::string CommandHarness::RunRawAs(server::ClientState& client, const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::string out;
  protocol::ReplyWriter writer(&out, client.resp);
  dispatcher_->Execute(views, client, writer);
  return out;
}

protocol::RespValue CommandHarness::Run(const std::vector<std::string>& args) { return RunAs(client_, args); }

protocol::RespValue CommandHarness::RunAs(server::ClientState& client, const std::vector<std::string>& args) {
  const std::string raw = RunRawAs(client, args);
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
  storage::MutationSink sink(state_->engine->recording());
  for (int s = 0; s < keyspace_->num_shards(); ++s) {
    storage::Shard& shard = keyspace_->shard(s);
    std::lock_guard lock(shard.mutex());
    n += keyspace_->ExpireDue(shard, clock_.NowMs(), SIZE_MAX, sink);
    if (!sink.empty()) state_->engine->Append(sink);
  }
  return n;
}

}  // namespace sessionkv::testing
