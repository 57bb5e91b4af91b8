// SPDX-License-Identifier: Apache-2.0
// A replica's memory follows its RocksDB: after the replication link has written one of the
// primary's committed WriteBatches (exactly as the primary's commit log wrote it) into the
// replica's RocksDB, ApplyBatchToMemory makes the keyspace hold what RocksDB now holds for
// everything the batch touched.
//
// One generic path for every type and every command: the batch is only decoded for what it touched
// (keys, whole databases, the database map, the version lease); each touched key is then read back
// from RocksDB, after the write, and rebuilt with the loader's KeyBuilder (storage/key_builder.h).
// So memory cannot drift from disk whatever mix of element records a command wrote, at the cost of
// reading the whole key again (a large collection changed by one element is read whole).
//
// The batch is applied to memory at once: the keys are read and built first, without locks, then
// the shards involved (every shard for a FLUSHDB, FLUSHALL or SWAPDB) are locked in ascending
// order, as the dispatcher locks them, and everything is swapped in. A reader sees the batch wholly
// or not at all. WATCHed keys the batch changed are touched under those locks. Nothing is recorded
// to the commit log: nothing but the link writes a replica's RocksDB.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "storage/key_builder.h"
#include "storage/keyspace.h"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace sessionkv::storage {

// A key the batch touched, in the logical database that holds it after the batch.
struct AppliedKey {
  int db = 0;
  std::string key;
  bool exists = false;   // the key exists after the batch
  bool expired = false;  // the primary deleted it because it expired (fire `expired`, not `del`)
};

// What a batch changed, for the server's keyspace events, WATCH and blocked clients.
struct ReplicaApplyResult {
  std::vector<AppliedKey> keys;  // each touched key once, in the order the batch first touched it
  std::vector<int>
      flushed_dbs;             // logical databases emptied by a FLUSHDB (not listed for a FLUSHALL)
  bool flushed_all = false;    // a FLUSHALL
  bool dbmap_changed = false;  // a SWAPDB: logical databases now hold other data
};

// `batch` was just written to `db` (the replica's RocksDB); brings `keyspace` in line with it.
// Fails, leaving memory as it was, on a batch sessionkv does not write (another column family, a
// merge, an unknown range delete), on unreadable records, or on data of a database this replica
// does not have.
absl::Status ApplyBatchToMemory(rocksdb::DB* db, const rocksdb::WriteBatch& batch,
                                Keyspace& keyspace, const LoadLimits& limits,
                                ReplicaApplyResult* result);

}  // namespace sessionkv::storage
