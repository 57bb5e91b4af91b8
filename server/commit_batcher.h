// SPDX-License-Identifier: Apache-2.0
// Group commit on an I/O thread (docs/persistence.md, "Ordering and group commit"): Redis's beforeSleep,
// one commit request (so one write, and one fsync under appendfsync always) per event-loop iteration at
// most, never one per command.
//
// A connection whose replies wait for a ticket registers here instead of writing them. The first
// registration of an iteration posts one commit handler; Asio runs it after the handlers already ready
// (the other connections this iteration serves), so its one request covers every connection of the
// iteration. The engine makes the write (with everything any thread appended meanwhile), inline or,
// under appendfsync always, on its writer thread while this thread goes on serving; the result is posted back here and handed to each
// waiting connection, which sends its replies (or the MISCONF error for a write that failed). No thread
// blocks on another's write and none ever spins.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "asio.hpp"
#include "storage/engine.h"

namespace sessionkv::server {

class CommitWaiter {
 public:
  virtual ~CommitWaiter() = default;
  // On the waiter's I/O thread, after the commit this iteration made.
  virtual void OnCommitted(const storage::CommitResult& result) = 0;
};

class CommitBatcher {
 public:
  CommitBatcher(asio::io_context& io, storage::Engine& engine) : io_(io), engine_(engine) {}
  CommitBatcher(const CommitBatcher&) = delete;
  CommitBatcher& operator=(const CommitBatcher&) = delete;

  // On the I/O thread: `waiter`'s replies wait for `ticket`.
  void Wait(std::shared_ptr<CommitWaiter> waiter, uint64_t ticket);
  // On the I/O thread: `ticket` was appended and nobody waits for it (expiry deletes); it is
  // committed with this iteration's write all the same.
  void Nudge(uint64_t ticket);

 private:
  void Schedule();
  void Run();

  asio::io_context& io_;
  storage::Engine& engine_;
  std::vector<std::shared_ptr<CommitWaiter>> waiting_;
  uint64_t target_ = 0;
  bool scheduled_ = false;
};

}  // namespace sessionkv::server
