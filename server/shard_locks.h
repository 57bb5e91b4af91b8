// SPDX-License-Identifier: Apache-2.0
// Shard locking for commands (design.md, "Threads"): a command runs with the mutexes of its keys' shards
// held, taken in ascending shard order, the one global lock order; whole-database commands take them all.
// The dispatcher locks for one command; EXEC locks the union of its queued commands' shards once.
#pragma once

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "server/command_table.h"
#include "storage/keyspace.h"

namespace sessionkv::server {

using ShardList = absl::InlinedVector<size_t, 4>;

// Every shard (whole-keyspace work: FLUSHALL, a replica's reload after a full sync).
inline ShardList AllShards(const storage::Keyspace& ks) {
  ShardList out;
  for (int i = 0; i < ks.num_shards(); ++i) out.push_back(i);
  return out;
}

// Appends the shards `spec` needs for `args`: every shard for LockScope::kAllShards, else the shards of the
// keys at its key positions (none for a command without keys).
inline void AppendShardsOf(const storage::Keyspace& ks, const CommandSpec& spec,
                           const std::vector<std::string_view>& args, ShardList* out) {
  if (spec.lock == LockScope::kAllShards) {
    const ShardList all = AllShards(ks);
    out->insert(out->end(), all.begin(), all.end());
    return;
  }
  for (int pos : spec.KeyPositions(args)) out->push_back(ks.ShardOfKey(args[pos]));
}

// Locks a set of shards in ascending order and unlocks them on destruction.
class ShardLocks {
 public:
  // `shards` may be in any order and repeat.
  ShardLocks(storage::Keyspace& ks, ShardList shards) : ks_(ks), shards_(std::move(shards)) {
    std::sort(shards_.begin(), shards_.end());
    shards_.erase(std::unique(shards_.begin(), shards_.end()), shards_.end());
    for (size_t s : shards_) ks_.shard(s).mutex().lock();
  }
  ShardLocks(storage::Keyspace& ks, const CommandSpec& spec, const std::vector<std::string_view>& args)
      : ShardLocks(ks, ShardsOf(ks, spec, args)) {}
  ~ShardLocks() {
    for (auto it = shards_.rbegin(); it != shards_.rend(); ++it) ks_.shard(*it).mutex().unlock();
  }
  ShardLocks(const ShardLocks&) = delete;
  ShardLocks& operator=(const ShardLocks&) = delete;

 private:
  static ShardList ShardsOf(const storage::Keyspace& ks, const CommandSpec& spec,
                            const std::vector<std::string_view>& args) {
    ShardList out;
    AppendShardsOf(ks, spec, args, &out);
    return out;
  }

  storage::Keyspace& ks_;
  ShardList shards_;
};

}  // namespace sessionkv::server
