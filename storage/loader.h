// SPDX-License-Identifier: Apache-2.0
// Start-up: reads every key from RocksDB into the keyspace (docs/persistence.md, "Start-up").
//
// One forward scan: a key's metadata comes first and its elements follow it, so each key is built
// whole (storage/key_builder.h) and inserted once. Element records of another version than their
// metadata's (left by a key deleted and created again, not yet compacted away) are skipped. Keys whose
// deadline passed while the server was down are loaded with their deadline: the expiry timers then
// delete them exactly as they delete any key that is due, with the "expired" annotation in the log and
// the `expired` event, at a pace that leaves the server responsive. Deadlines enter the expiry index
// once every part is loaded, sorted (Keyspace::IndexDeferredDeadlines), so the timers start on them then.
//
// The server serves connections meanwhile, answering -LOADING to commands that need the data; the
// loader takes each shard's lock only to insert a key. A large database is loaded by several threads,
// each scanning its own part of the key space (split where the bytes on disk are about equal).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "storage/key_builder.h"
#include "storage/keyspace.h"
#include "storage/rocks_format.h"

namespace sessionkv::storage {

class RocksEngine;  // storage/rocks_engine.h

// The logical databases' physical numbers: `stored` (the "dbmap" record), cut to `num_dbs` or extended
// with unused numbers when the server has more databases (a number once used is never reused for another
// logical database).
std::vector<uint32_t> DatabaseMap(const std::vector<uint32_t>& stored, int num_dbs);

// Readable from any thread while the load runs (INFO persistence, the progress log).
struct LoadProgress {
  std::atomic<uint64_t> keys{0};
  std::atomic<uint64_t> bytes{0};        // key and value bytes read
  std::atomic<uint64_t> expired{0};      // keys loaded already past their deadline
  std::atomic<uint64_t> stale_records{0};
  std::atomic<uint64_t> total_bytes{0};  // estimate of what there is to read
};

class Loader {
 public:
  Loader(RocksEngine& engine, Keyspace& keyspace, const LoadLimits& limits, LoadProgress* progress)
      : engine_(engine), keyspace_(keyspace), limits_(limits), progress_(progress) {}

  // Loads everything with up to `threads` threads, each a part of the key space of about the same
  // size; `tick` is called every 100 ms on the calling thread (the caller logs progress from it).
  // Fails on data it cannot read or cannot place (a database beyond `databases`).
  // Below `min_part_bytes` of data per part one thread loads it (a split is not worth its lookups).
  static constexpr uint64_t kMinPartBytes = 32u << 20;
  absl::Status Run(const std::function<void()>& tick, int threads = 1, uint64_t min_part_bytes = kMinPartBytes);

  // Where the key space splits into `parts` parts of about equal bytes, each point the metadata key
  // of a key on disk (so every key lies within one part); fewer points for a small database.
  std::vector<std::string> SplitPoints(int parts, uint64_t min_part_bytes = kMinPartBytes) const;

 private:
  // What loading one part found.
  struct Part {
    absl::Status status;
    uint64_t max_version = 0;
    std::vector<Keyspace::DeferredDeadline> deadlines;  // indexed once every part is loaded
    Part& Fail(absl::Status s) {
      status = std::move(s);
      return *this;
    }
  };
  Part LoadRange(const std::string& begin, const std::string& end);
  // Inserts the key `builder` built into logical database `db`; false if there is none (an empty
  // collection).
  bool Finish(KeyBuilder& builder, int db, int64_t now_ms, std::vector<Keyspace::DeferredDeadline>* deadlines);

  RocksEngine& engine_;
  Keyspace& keyspace_;
  LoadLimits limits_;
  LoadProgress* progress_;
  std::vector<int> logical_;  // physical database -> logical, -1 for none; set before the parts start
};

}  // namespace sessionkv::storage
