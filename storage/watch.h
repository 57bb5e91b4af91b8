// SPDX-License-Identifier: Apache-2.0
// WATCH bookkeeping on the storage side: which clients watch which keys of one database shard.
//
// A client that WATCHes keys owns one WatchFlag; every watched key's table holds a reference to it. Whoever
// changes a watched key, on any I/O thread, marks the flags of its watchers while holding the key's shard
// lock (Keyspace::TouchWatchedKey), and EXEC reads its flag with the shards of its watched keys locked, so a
// change is either seen by EXEC or ordered after it (Redis's touchWatchedKey and CLIENT_DIRTY_CAS).
//
// Redis 7 also remembers, per watch, whether the key was already logically expired when WATCH ran: such a
// key being deleted later (by expiry, or by the flush of its database) is no logical change and fails no
// EXEC, while a key that expires after WATCH does fail it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "base/strings.h"
#include "storage/dict.h"

namespace sessionkv::storage {

// One client's "a watched key changed" flag, shared by every table that holds one of its watches.
struct WatchFlag {
  std::atomic<bool> dirty{false};
};

// The watches on one database's part of one shard. Guarded by the shard mutex.
class WatchTable {
 public:
  bool empty() const { return keys_.empty(); }
  bool Contains(std::string_view key) const { return keys_.find(key) != keys_.end(); }

  // Adds `flag`'s watch of `key`; `expired` says the key is logically expired right now. False if `flag`
  // already watches `key` here.
  bool Add(std::string_view key, const std::shared_ptr<WatchFlag>& flag, bool expired);
  // Removes `flag`'s watch of `key`; false if there was none.
  bool Remove(std::string_view key, const WatchFlag* flag);

  // `key` changed; `dict` is the database shard after the change. Marks every watcher dirty, except that a
  // watch of an already expired key that is now gone only forgets it was expired.
  void Touch(std::string_view key, const Dict& dict);
  // Every key of `emptied` is being flushed, or (with `replaced_with`) swapped with the same database
  // shard of another database (SWAPDB); called before the change. Marks the watchers of keys that exist in
  // either, with Redis 7.2's rules for keys that are or become logically expired.
  void TouchAll(const Dict& emptied, const Dict* replaced_with, int64_t now_ms);
  // True if `flag` watches `key`, the key was live at WATCH time and it is logically expired now (in
  // `dict`, at `now_ms`): EXEC then fails even if no one deleted it yet.
  bool ExpiredSinceWatch(std::string_view key, const WatchFlag* flag, const Dict& dict, int64_t now_ms) const;

 private:
  struct Watcher {
    std::shared_ptr<WatchFlag> flag;
    bool expired;  // the key was logically expired when WATCH ran (and has not been deleted since)
  };
  using Watchers = absl::InlinedVector<Watcher, 1>;
  absl::flat_hash_map<std::string, Watchers, StringViewHash, StringViewEq> keys_;
};

// True if `e` is present but past its deadline at `now_ms` (Redis's keyIsExpired).
inline bool IsLogicallyExpired(const Entry* e, int64_t now_ms) {
  return e != nullptr && e->has_deadline() && now_ms > e->deadline_ms();
}

}  // namespace sessionkv::storage
