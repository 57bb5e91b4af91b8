// SPDX-License-Identifier: Apache-2.0
// The hot tail of the replication log in memory (docs/replication.md, "Streaming: the ring and the
// WAL"; shared replication.md 4.4). The engine's writer publishes every committed batch here (its
// first sequence, the sequences it covers, its bytes, its commit time); each replica's streamer
// reads from the sequence it needs next. A caught-up streamer is fed from here with no WAL read and
// no polling: when it finds nothing new, its reader is armed, and the next Publish calls the
// reader's wake hook once (typically an asio::post to the connection's strand). A streamer that
// asks for a sequence the ring no longer holds learns it fell behind and reads the WAL until it
// reaches the ring again.
//
// The ring is bounded by bytes (oldest batches leave first), so a slow replica never costs memory
// here; it always keeps the newest batch, even one larger than the bound. Batches are shared,
// immutable strings: a read copies pointers, not bytes, and the lock is held only for that.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sessionkv::replication {

struct RingBatch {
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;                    // first_seq + count - 1
  int64_t commit_ms = 0;                    // the primary's clock at commit
  std::shared_ptr<const std::string> data;  // the WriteBatch representation, LogData included
};

enum class ReadResult : uint8_t {
  kBatches,     // batches were appended to the output
  kCaughtUp,    // nothing after from_seq yet: the reader is armed, its hook fires on the next batch
  kFellBehind,  // from_seq left the ring (or was never in it): read the WAL
};

struct RingStats {
  uint64_t batches = 0;     // held now
  uint64_t bytes = 0;       // held now, as counted against the capacity
  uint64_t oldest_seq = 0;  // first sequence held (next_seq when empty)
  uint64_t next_seq = 0;    // what the next Publish must start at
  uint64_t published = 0;   // batches published since construction
  uint64_t evicted = 0;
};

class BatchRing {
 public:
  class Reader;

  // `next_seq` is the first sequence the ring will receive (the engine's last sequence + 1).
  BatchRing(size_t capacity_bytes, uint64_t next_seq);
  BatchRing(const BatchRing&) = delete;
  BatchRing& operator=(const BatchRing&) = delete;
  ~BatchRing();

  // Appends a committed batch covering [first_seq, first_seq + count). Batches must come in
  // sequence order without gaps (FailedPrecondition otherwise; the engine then calls Reset). Wakes
  // every armed reader once, on the calling thread, after the ring's lock is released.
  absl::Status Publish(uint64_t first_seq, uint64_t count, std::string data, int64_t commit_ms);
  // Drops everything and expects `next_seq` next (a full sync replaced the data, or a gap was
  // found). Readers then fall behind, or are ahead, and go back to the WAL.
  void Reset(uint64_t next_seq);

  // A reader for one streamer. `wake` is called from the publisher's thread, at most once per
  // arming; it must be quick and must not destroy the reader (post the work elsewhere).
  std::unique_ptr<Reader> NewReader(std::function<void()> wake);

  RingStats stats() const;

 private:
  friend class Reader;
  static constexpr size_t kPerBatchOverhead = 64;  // the entry itself, counted against the capacity

  absl::StatusOr<ReadResult> Read(Reader* reader, uint64_t from_seq, size_t max_bytes,
                                  std::vector<RingBatch>* out);
  void Unregister(Reader* reader);

  const size_t capacity_;
  mutable std::mutex mu_;  // guards everything below
  std::deque<RingBatch> batches_;
  size_t bytes_ = 0;
  uint64_t next_seq_;
  uint64_t published_ = 0;
  uint64_t evicted_ = 0;
  std::vector<Reader*> readers_;
  // Held while wake hooks run, so a Reader's destructor can wait out a hook that is calling it.
  std::mutex wake_mu_;
};

class BatchRing::Reader {
 public:
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Appends the batches from the one holding `from_seq` on (normally from_seq is a batch's first
  // sequence: replicas apply whole batches), up to about `max_bytes` (at least one batch).
  // OutOfRange if from_seq is past the newest sequence + 1: the caller is ahead of this primary.
  absl::StatusOr<ReadResult> Read(uint64_t from_seq, size_t max_bytes,
                                  std::vector<RingBatch>* out) {
    return ring_->Read(this, from_seq, max_bytes, out);
  }

 private:
  friend class BatchRing;
  Reader(BatchRing* ring, std::function<void()> wake) : ring_(ring), wake_(std::move(wake)) {}

  BatchRing* ring_;
  std::function<void()> wake_;
  bool armed_ = false;  // guarded by the ring's mu_
};

}  // namespace sessionkv::replication
