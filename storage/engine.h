// SPDX-License-Identifier: Apache-2.0
// The durability engine behind the keyspace (style.md pattern 8): memory stays authoritative for
// reads; the engine makes the recorded mutations durable, in the order they were appended.
//
//   command, shard locks held:   changes memory, records into its MutationSink
//                                ticket = engine.Append(sink)          (before the locks are released)
//   I/O thread, once per loop:   engine.CommitAsync(highest ticket waiting)
//   inline, or a writer thread:  one write (one fsync) of everything appended, for all threads;
//                                replies of tickets <= durable() are sent
//
// Append only enqueues, so the log order is the order in which the commands held their locks: for
// every key, the order in which memory changed. Commit is group commit: whoever calls it writes
// everything appended so far, from every thread, as one RocksDB WriteBatch, while other callers wait
// for that write instead of making their own.
//
// Two engines: RocksEngine (storage/rocks_engine.h), and NullEngine for `appendonly no`, unit tests and
// benchmarks, which keeps nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "storage/mutation.h"

namespace sessionkv::storage {

// appendfsync: when the WAL is fsynced, and so which replies wait for an fsync.
enum class FsyncPolicy : uint8_t { kAlways, kEverySec, kNo };

// What a Commit achieved.
struct CommitResult {
  // Every ticket up to `durable` is durable under the fsync policy: its reply may be sent.
  uint64_t durable = 0;
  // Tickets in (durable, failed_through] could not be written (disk full, I/O error); their writers
  // are answered with `error`. The batches stay queued and are written once the disk recovers.
  uint64_t failed_through = 0;
  std::string error;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // Whether commands record their mutations into their sinks.
  virtual bool recording() const = 0;
  // Appends the sink's records as one atomic batch and clears the sink. Called with the shard locks
  // under which the records were made. Returns the batch's ticket, 0 if there is nothing to wait for.
  virtual uint64_t Append(MutationSink& sink) = 0;
  // Makes every ticket up to `ticket` durable under the fsync policy, leading the write or waiting for
  // the one in progress. Blocks the calling thread for about one write (and one fsync under always).
  virtual CommitResult Commit(uint64_t ticket) = 0;
  // The same without blocking the caller: `done` gets the result, on whatever thread made the write
  // (RocksEngine's writer thread). This one writes on the caller's thread.
  using CommitDone = std::function<void(const CommitResult&)>;
  virtual void CommitAsync(uint64_t ticket, CommitDone done) { done(Commit(ticket)); }
  // The highest ticket whose reply may be sent now.
  virtual uint64_t durable() const = 0;
  // While the last write failed: the reason (strerror text), which refuses writes with MISCONF until
  // a write succeeds again. Empty when healthy.
  virtual std::string write_error() const = 0;
  virtual bool write_failed() const = 0;
  // Bytes appended and not yet written: the counterpart of Redis's AOF buffer, which maxmemory leaves
  // out of its count (evicting to make room for the deletes' own records would feed on itself).
  virtual uint64_t pending_bytes() const { return 0; }
};

// Memory only: nothing is kept. Debug builds still record (and discard), so that every test runs the
// encoder and the dispatcher's check that write commands record what they change.
class NullEngine final : public Engine {
 public:
#ifdef NDEBUG
  static constexpr bool kRecordByDefault = false;
#else
  static constexpr bool kRecordByDefault = true;
#endif
  explicit NullEngine(bool record = kRecordByDefault) : record_(record) {}

  bool recording() const override { return record_; }
  uint64_t Append(MutationSink& sink) override {
    sink.Clear();
    return 0;
  }
  CommitResult Commit(uint64_t ticket) override { return {.durable = ticket}; }
  uint64_t durable() const override { return UINT64_MAX; }
  std::string write_error() const override { return {}; }
  bool write_failed() const override { return false; }

 private:
  bool record_;
};

}  // namespace sessionkv::storage
