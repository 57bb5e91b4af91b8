// SPDX-License-Identifier: Apache-2.0
#include "storage/commit_writer.h"

#include <algorithm>

namespace sessionkv::storage {

CommitWriter::CommitWriter(CommitLog& log) : log_(log), thread_([this] { Loop(); }) {}

void CommitWriter::Request(uint64_t ticket, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      requests_.emplace_back(ticket, std::move(done));
      if (requests_.size() == 1) wake_.notify_one();  // later ones find the thread awake
      return;
    }
  }
  done(log_.Commit(ticket));
}

void CommitWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void CommitWriter::Loop() {
  std::vector<std::pair<uint64_t, Done>> serving;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !requests_.empty(); });
      if (requests_.empty()) return;  // stopping, and nothing left to serve
      serving.swap(requests_);
    }
    uint64_t target = 0;
    for (const auto& r : serving) target = std::max(target, r.first);
    const CommitResult result = log_.Commit(target);
    for (auto& r : serving) r.second(result);
    serving.clear();
  }
}

}  // namespace sessionkv::storage
