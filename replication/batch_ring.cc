// SPDX-License-Identifier: Apache-2.0
#include "replication/batch_ring.h"

#include <algorithm>

#include "base/strings.h"

namespace sessionkv::replication {

BatchRing::BatchRing(size_t capacity_bytes, uint64_t next_seq)
    : capacity_(capacity_bytes), next_seq_(next_seq) {}

BatchRing::~BatchRing() = default;

absl::Status BatchRing::Publish(uint64_t first_seq, uint64_t count, std::string data,
                                int64_t commit_ms) {
  if (count == 0) return absl::InvalidArgumentError("a batch covers at least one sequence");
  std::vector<Reader*> to_wake;
  {
    std::lock_guard lock(mu_);
    if (first_seq != next_seq_) {
      return absl::FailedPreconditionError(
          StrCat("batch at seq ", first_seq, " published, the ring expects ", next_seq_));
    }
    const size_t size = data.size() + kPerBatchOverhead;
    batches_.push_back({.first_seq = first_seq,
                        .last_seq = first_seq + count - 1,
                        .commit_ms = commit_ms,
                        .data = std::make_shared<const std::string>(std::move(data))});
    bytes_ += size;
    next_seq_ = first_seq + count;
    ++published_;
    while (bytes_ > capacity_ && batches_.size() > 1) {
      bytes_ -= batches_.front().data->size() + kPerBatchOverhead;
      batches_.pop_front();
      ++evicted_;
    }
    for (Reader* r : readers_) {
      if (r->armed_) {
        r->armed_ = false;
        to_wake.push_back(r);
      }
    }
  }
  if (!to_wake.empty()) {
    // A reader unregisters under mu_ and then waits for wake_mu_, so one picked above is alive
    // while its hook runs here even if its owner is destroying it on another thread.
    std::lock_guard wake_lock(wake_mu_);
    for (Reader* r : to_wake) {
      std::unique_lock lock(mu_);
      const bool registered = std::find(readers_.begin(), readers_.end(), r) != readers_.end();
      lock.unlock();
      if (registered) r->wake_();
    }
  }
  return absl::OkStatus();
}

void BatchRing::Reset(uint64_t next_seq) {
  std::lock_guard lock(mu_);
  evicted_ += batches_.size();
  batches_.clear();
  bytes_ = 0;
  next_seq_ = next_seq;
}

std::unique_ptr<BatchRing::Reader> BatchRing::NewReader(std::function<void()> wake) {
  std::unique_ptr<Reader> reader(new Reader(this, std::move(wake)));
  std::lock_guard lock(mu_);
  readers_.push_back(reader.get());
  return reader;
}

void BatchRing::Unregister(Reader* reader) {
  {
    std::lock_guard lock(mu_);
    readers_.erase(std::remove(readers_.begin(), readers_.end(), reader), readers_.end());
  }
  // Wait out a Publish that picked this reader before it was removed and may be running its hook.
  std::lock_guard wake_lock(wake_mu_);
}

BatchRing::Reader::~Reader() { ring_->Unregister(this); }

absl::StatusOr<ReadResult> BatchRing::Read(Reader* reader, uint64_t from_seq, size_t max_bytes,
                                           std::vector<RingBatch>* out) {
  std::lock_guard lock(mu_);
  if (from_seq > next_seq_) {
    return absl::OutOfRangeError(
        StrCat("seq ", from_seq, " requested, the newest published is ", next_seq_ - 1));
  }
  if (from_seq == next_seq_) {
    reader->armed_ = true;
    return ReadResult::kCaughtUp;
  }
  if (batches_.empty() || from_seq < batches_.front().first_seq) return ReadResult::kFellBehind;
  // The last batch whose first_seq <= from_seq holds it (sequences are contiguous).
  auto it = std::upper_bound(batches_.begin(), batches_.end(), from_seq,
                             [](uint64_t seq, const RingBatch& b) { return seq < b.first_seq; });
  --it;
  size_t bytes = 0;
  for (; it != batches_.end() && (bytes == 0 || bytes + it->data->size() <= max_bytes); ++it) {
    bytes += it->data->size();
    out->push_back(*it);
  }
  return ReadResult::kBatches;
}

RingStats BatchRing::stats() const {
  std::lock_guard lock(mu_);
  return {.batches = batches_.size(),
          .bytes = bytes_,
          .oldest_seq = batches_.empty() ? next_seq_ : batches_.front().first_seq,
          .next_seq = next_seq_,
          .published = published_,
          .evicted = evicted_};
}

}  // namespace sessionkv::replication
