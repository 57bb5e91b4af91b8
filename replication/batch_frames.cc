// SPDX-License-Identifier: Apache-2.0
#include "replication/batch_frames.h"

#include <algorithm>

#include "base/strings.h"

namespace sessionkv::replication {

namespace {

// Sends `batch` in pieces of at most `piece` bytes, one message each.
void AppendPieces(const RingBatch& batch, size_t piece, std::vector<pb::Batches>* out) {
  const std::string& data = *batch.data;
  for (size_t off = 0; off < data.size(); off += piece) {
    const bool last = off + piece >= data.size();
    pb::Batches& m = out->emplace_back();
    m.set_first_seq(batch.first_seq);
    m.add_batch(data.substr(off, piece));
    m.add_commit_unix_ms(batch.commit_ms);
    m.set_more(!last);
    m.set_count(last ? batch.last_seq - batch.first_seq + 1 : 0);
  }
}

}  // namespace

std::vector<pb::Batches> PackBatches(std::span<const RingBatch> batches, size_t max_frame_bytes) {
  const size_t room = max_frame_bytes - kBatchesFixedOverhead;
  std::vector<pb::Batches> out;
  pb::Batches* current = nullptr;  // the message small batches are added to
  size_t current_bytes = 0;
  for (const RingBatch& b : batches) {
    const size_t size = b.data->size() + kBatchesPerBatchOverhead;
    if (size > room) {
      current = nullptr;  // the batches after the pieces start a message of their own
      AppendPieces(b, room - kBatchesPerBatchOverhead, &out);
      continue;
    }
    if (current == nullptr || current_bytes + size > room) {
      current = &out.emplace_back();
      current->set_first_seq(b.first_seq);
      current_bytes = 0;
    }
    current->add_batch(*b.data);
    current->add_commit_unix_ms(b.commit_ms);
    current->set_count(b.last_seq - current->first_seq() + 1);
    current_bytes += size;
  }
  return out;
}

absl::StatusOr<bool> BatchAssembler::Add(pb::Batches* message) {
  if (pending_) {
    if (message->batch_size() == 0 || message->first_seq() != pending_seq_) {
      return absl::DataLossError(StrCat("replication: the batch split at sequence ", pending_seq_,
                                        " is continued by a frame at sequence ",
                                        message->first_seq()));
    }
    std::string* first = message->mutable_batch(0);
    if (pending_bytes_.size() + first->size() > max_batch_bytes_) {
      return absl::ResourceExhaustedError(StrCat("replication: the batch at sequence ",
                                                 pending_seq_, " exceeds ", max_batch_bytes_,
                                                 " bytes"));
    }
    pending_bytes_.append(*first);
    first->swap(pending_bytes_);
    pending_bytes_.clear();
    pending_ = false;
  }
  if (message->more()) {
    if (message->batch_size() == 0)
      return absl::DataLossError("replication: a split batch without bytes");
    // The last batch is a piece: it waits, and what comes before it is whole.
    pending_ = true;
    pending_seq_ = message->first_seq() + message->count();
    pending_bytes_.swap(*message->mutable_batch(message->batch_size() - 1));
    message->mutable_batch()->RemoveLast();
    if (message->commit_unix_ms_size() > message->batch_size())
      message->mutable_commit_unix_ms()->RemoveLast();
    message->set_more(false);
  }
  return message->batch_size() > 0;
}

}  // namespace sessionkv::replication
