// SPDX-License-Identifier: Apache-2.0
#include "server/transaction.h"

#include <algorithm>
#include <mutex>

#include "base/strings.h"
#include "server/client_state.h"
#include "server/command_table.h"

namespace sessionkv::server {

bool RunsInsideMulti(const CommandSpec& spec) {
  static constexpr std::string_view kImmediate[] = {"exec", "discard", "multi", "watch", "quit", "reset"};
  return std::find(std::begin(kImmediate), std::end(kImmediate), spec.full_name) != std::end(kImmediate);
}

void QueueCommand(ClientState& client, const CommandSpec& spec, const std::vector<std::string_view>& args) {
  MultiState& multi = *client.multi;
  // A transaction that can only fail keeps no commands (a client may pipeline many without reading).
  if (multi.aborted || client.info->watch_flag->dirty.load(std::memory_order_relaxed)) return;
  QueuedCommand& queued = multi.commands.emplace_back(QueuedCommand{&spec, {}});
  queued.args.reserve(args.size());
  for (std::string_view arg : args) {
    queued.args.emplace_back(arg);
    multi.arg_bytes += arg.size();
  }
  PublishMultiState(client);
}

void FlagTransaction(ClientState& client) {
  if (client.multi) client.multi->aborted = true;
}

void AbortExec(storage::Keyspace& ks, ClientState& client, protocol::ReplyWriter& reply, size_t mark) {
  std::string& out = *reply.buffer();
  std::string_view error = std::string_view(out).substr(mark + 1);  // after '-'
  if (error.ends_with("\r\n")) error.remove_suffix(2);
  if (error.starts_with("ERR ")) error.remove_prefix(4);  // Redis formats these without the code
  std::string text = StrCat("EXECABORT Transaction discarded because of: ", error);
  out.resize(mark);
  reply.Error(text);
  DiscardTransaction(ks, client);
}

void UnwatchAllKeys(storage::Keyspace& ks, ClientState& client, WatchLocks locks) {
  const storage::WatchFlag* flag = client.info->watch_flag.get();
  if (locks == WatchLocks::kHeld) {
    for (const WatchedKey& w : client.watched) ks.Unwatch(w.db, w.key, flag);
  } else {
    // Grouped by shard so each shard is locked once; only one lock is held at a time.
    std::vector<std::pair<size_t, const WatchedKey*>> by_shard;
    by_shard.reserve(client.watched.size());
    for (const WatchedKey& w : client.watched) by_shard.emplace_back(ks.ShardOfKey(w.key), &w);
    std::sort(by_shard.begin(), by_shard.end());
    for (size_t i = 0; i < by_shard.size();) {
      const size_t shard = by_shard[i].first;
      std::lock_guard lock(ks.shard(shard).mutex());
      for (; i < by_shard.size() && by_shard[i].first == shard; ++i) {
        ks.Unwatch(by_shard[i].second->db, by_shard[i].second->key, flag);
      }
    }
  }
  client.watched.clear();
  // No table refers to the flag any more, so nothing can set it again until the next WATCH.
  client.info->watch_flag->dirty.store(false, std::memory_order_relaxed);
  PublishMultiState(client);
}

void DiscardTransaction(storage::Keyspace& ks, ClientState& client) {
  client.multi.reset();
  UnwatchAllKeys(ks, client, WatchLocks::kTake);
}

void PublishMultiState(ClientState& client) {
  ClientInfo& info = *client.info;
  uint64_t mem = client.watched.size() * sizeof(WatchedKey);
  int count = -1;
  if (client.multi) {
    count = static_cast<int>(client.multi->commands.size());
    mem += client.multi->arg_bytes + client.multi->commands.capacity() * sizeof(QueuedCommand);
  }
  info.multi.store(count, std::memory_order_relaxed);
  info.multi_mem.store(mem, std::memory_order_relaxed);
}

}  // namespace sessionkv::server
