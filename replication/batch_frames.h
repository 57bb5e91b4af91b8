// SPDX-License-Identifier: Apache-2.0
// Committed batches as Batches messages that fit a frame (docs/replication.md, "Frames"), and the
// replica's side that joins a split batch again before it is applied.
//
// A frame's message is at most kDefaultMaxFrameBytes (16 MB), but one group commit can be larger: a
// 20 MB SET, a MULTI or a script of many writes. Such a batch travels in pieces, one per Batches
// message, every piece but the last with `more` set. The fields then mean:
//
//   first_seq  the sequence of batch[0]'s first record; in a message that continues a split batch,
//              batch[0] is a piece of that batch and first_seq is its sequence
//   count      the sequences of the batches that end in this message (a piece adds none until the
//              last one, whose message counts the whole batch)
//   more       the message's last batch continues in the next message, at first_seq + count
//
// A reader that knows no `more` (none exists: the field came with the splitting) would have failed
// on the frame that was too large anyway, so the change needs no capability.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "replication/batch_ring.h"
#include "replication/frame_codec.h"
#include "replication/repl.pb.h"

namespace sessionkv::replication {

// What a Frame around a Batches message adds beyond its batches' bytes, with room to spare: the
// frame's tag, length and version, first_seq, count, more and the packed commit times' header.
inline constexpr size_t kBatchesFixedOverhead = 128;
// Per batch: its tag and length, and its commit time.
inline constexpr size_t kBatchesPerBatchOverhead = 16;

// Packs `batches` (consecutive, in sequence order) into Batches messages whose Frame serializes to
// at most max_frame_bytes: small batches share a message, a batch too large for one is split into
// pieces, one per message. max_frame_bytes must exceed the overheads above.
std::vector<pb::Batches> PackBatches(std::span<const RingBatch> batches,
                                     size_t max_frame_bytes = kDefaultMaxFrameBytes);

// The largest batch the replica joins from pieces (RocksDB counts a WriteBatch's records in 32 bits
// and its size stays well below this); a bigger one is refused and the link dropped.
inline constexpr size_t kMaxJoinedBatchBytes = size_t{2} << 30;

// Joins split batches on the replica. One per connection: after a reconnection the primary starts
// again at a whole batch.
class BatchAssembler {
 public:
  explicit BatchAssembler(size_t max_batch_bytes = kMaxJoinedBatchBytes)
      : max_batch_bytes_(max_batch_bytes) {}

  // Takes one received message and leaves in it only whole batches (a split batch joined into its
  // batch[0] once its last piece arrived). True if it holds any to apply; false if it carried only
  // a piece. DataLoss when a piece does not continue the batch that is waiting (a primary's bug:
  // the link is dropped), ResourceExhausted past max_batch_bytes.
  absl::StatusOr<bool> Add(pb::Batches* message);

  // A split batch waits for its next piece.
  bool pending() const { return pending_; }

 private:
  size_t max_batch_bytes_;
  bool pending_ = false;
  uint64_t pending_seq_ = 0;
  std::string pending_bytes_;
};

}  // namespace sessionkv::replication
