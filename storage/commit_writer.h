// SPDX-License-Identifier: Apache-2.0
// The writer thread of the commit log (design.md, "Persistence": one writer drains the queue).
//
// Under appendfsync always (storage/rocks_engine.cc, CommitAsync, says why only then) I/O threads
// append their commands' batches to the CommitLog and ask for a commit here instead of writing
// themselves: they go on parsing and executing (and appending) while this thread writes the
// previous group into RocksDB (WAL append, memtable insert, fsync under always). Each pass takes every
// request queued meanwhile and makes one CommitLog::Commit, which writes everything appended so far, so
// the group grows with the load by itself. `done` runs on this thread; callers hand the result back to
// their own thread (server/commit_batcher.h posts it to its io_context).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "storage/commit_log.h"

namespace sessionkv::storage {

class CommitWriter {
 public:
  using Done = std::function<void(const CommitResult&)>;

  explicit CommitWriter(CommitLog& log);
  ~CommitWriter() { Stop(); }
  CommitWriter(const CommitWriter&) = delete;
  CommitWriter& operator=(const CommitWriter&) = delete;

  // Asks for every ticket up to `ticket` to be made durable; `done` gets the outcome.
  void Request(uint64_t ticket, Done done);
  // Serves the requests already queued, then ends the thread. Requests after Stop are served on the
  // caller's thread.
  void Stop();

 private:
  void Loop();

  CommitLog& log_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<std::pair<uint64_t, Done>> requests_;  // guarded by mu_
  bool stopping_ = false;                            // guarded by mu_
  std::thread thread_;
};

}  // namespace sessionkv::storage
