// SPDX-License-Identifier: Apache-2.0
// Reading the replication log out of RocksDB's WAL (docs/replication.md, "Streaming: the ring and the
// WAL"): a streamer whose replica is behind the in-memory ring (replication/batch_ring.h) reads the
// batches it needs here, with GetUpdatesSince, until it reaches the ring again. The batches are the
// bytes the primary's writer wrote, so both paths give a replica the same stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "replication/batch_ring.h"

namespace rocksdb {
class DB;
}

namespace sessionkv::replication {

// Appends the committed batches from the one starting at `from_seq` on, up to about `max_bytes` (at
// least one batch when there is one). Nothing is appended when from_seq is past the newest sequence.
// NotFound when the WAL no longer holds from_seq (retention exceeded: a full sync is needed);
// FailedPrecondition when from_seq falls inside a batch (replicas apply whole batches).
absl::Status ReadWal(rocksdb::DB* db, uint64_t from_seq, size_t max_bytes, std::vector<RingBatch>* out);

// The first sequence the WAL (live and archived files) still holds; the newest sequence + 1 when it
// holds none.
uint64_t OldestRetainedSeq(rocksdb::DB* db);

// Bytes of WAL the database keeps (live and archived files): INFO's repl_wal_retained_bytes.
uint64_t RetainedWalBytes(rocksdb::DB* db);

}  // namespace sessionkv::replication
