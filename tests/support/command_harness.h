// SPDX-License-Identifier: Apache-2.0
// In-process command harness for unit tests (style.md pattern 11): the real dispatcher, command table and
// keyspace, a FakeClock, no sockets.
//
//   CommandHarness h;
//   EXPECT_EQ(h.Run({"SET", "k", "v"}).str, "OK");
//   h.clock().Advance(1000);
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "protocol/resp_value.h"
#include "server/client_state.h"
#include "server/command_table.h"
#include "server/config.h"
#include "server/dispatcher.h"
#include "server/server_state.h"
#include "storage/clock.h"
#include "storage/keyspace.h"

namespace sessionkv::testing {

class CommandHarness {
 public:
  explicit CommandHarness(protocol::RespVersion version = protocol::RespVersion::kResp2);

  // Runs one command and returns its decoded reply (a kNull value if the command sent none).
  protocol::RespValue Run(const std::vector<std::string>& args);
  // Runs one command and returns the raw reply bytes.
  std::string RunRaw(const std::vector<std::string>& args);
  // The same as another client of the server (see AddClient).
  protocol::RespValue RunAs(server::ClientState& client, const std::vector<std::string>& args);
  std::string RunRawAs(server::ClientState& client, const std::vector<std::string>& args);
  // Another connected client (WATCH/MULTI tests need two); owned by the harness.
  server::ClientState& AddClient(protocol::RespVersion version = protocol::RespVersion::kResp2);

  storage::FakeClock& clock() { return clock_; }
  storage::Keyspace& keyspace() { return *keyspace_; }
  server::ClientState& client() { return client_; }
  server::ServerState& server() { return *state_; }
  server::Config& config() { return config_; }
  // Runs the active expiry for every shard, as the timer would when it fires now.
  size_t ExpireDue();
  // A view of database `index` for checks and set-up outside commands; what it changes is recorded
  // into a sink of the harness and discarded.
  storage::Db db(int index = 0) { return storage::Db(*keyspace_, index, &scratch_sink_); }

 private:
  storage::FakeClock clock_;
  server::Config config_;
  std::unique_ptr<storage::Keyspace> keyspace_;
  server::CommandTable commands_;
  std::unique_ptr<server::ServerState> state_;
  std::unique_ptr<server::Dispatcher> dispatcher_;
  server::ClientState client_;
  storage::MutationSink scratch_sink_;
  std::deque<server::ClientState> other_clients_;
};

}  // namespace sessionkv::testing
