// SPDX-License-Identifier: Apache-2.0
// The replication stream's framing (docs/replication.md, "Frames"): after SKVSYNC each direction of
// the connection is a sequence of
//
//   varint N | flags (1 byte) | N bytes of payload
//
// where the payload is a serialized pb::Frame, or, with flags bit 0 (kFlagZstd), that message
// passed through the direction's single streaming zstd context and flushed (ZSTD_e_flush) at the
// frame's end. Flushing at every frame means a frame is always decodable as soon as its bytes
// arrive: compression never holds data back, however small the frame. Keeping one context for the
// whole connection lets frame k refer to bytes of frames 1..k-1, which is what makes repetitive
// session traffic (the same key prefix, the same JDK serialization headers in every batch) compress
// several times better than frame by frame. A writer may send any frame uncompressed (snapshot
// chunks of SST files are compressed already); the reader follows the flags, so it needs no
// configuration beyond the size limit.
//
// Both sides are plain objects over bytes: no sockets, no threads. A connection owns one
// FrameWriter for what it sends and one FrameReader for what it receives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "replication/repl.pb.h"

namespace sessionkv::replication {

// The Frame.version this release writes.
inline constexpr uint32_t kProtocolVersion = 1;

// Flag bits of a frame header. Unknown bits are an error: a reader never guesses at a layout it
// does not know (a later release that adds one announces it in REPLCONF capa first).
inline constexpr uint8_t kFlagZstd = 0x01;
inline constexpr uint8_t kKnownFlags = kFlagZstd;

// A frame's serialized message may be at most this large (before compression); the writer splits
// batches and snapshot chunks below it. 16 MB: a snapshot chunk is at most 1 MB, and a bigger batch
// is split.
inline constexpr size_t kDefaultMaxFrameBytes = 16u << 20;

// `repl-compression zstd|none`.
enum class Compression : uint8_t { kNone, kZstd };

// "zstd" or "none" (case-insensitive), as the config directive spells them.
absl::StatusOr<Compression> ParseCompression(std::string_view word);
std::string_view CompressionName(Compression compression);

// Byte counts of one direction, for INFO (repl_compression_ratio) and the wire-bytes benchmark.
struct CodecStats {
  uint64_t frames = 0;
  uint64_t payload_bytes = 0;  // serialized messages, before compression
  uint64_t wire_bytes = 0;     // what went over the socket: headers and (compressed) payloads
};

// Encodes frames for one direction of one connection.
class FrameWriter {
 public:
  // `level` is zstd's (1..19; 1-3 suit a stream). With kNone no zstd context is created.
  explicit FrameWriter(Compression compression, int level = 1,
                       size_t max_frame_bytes = kDefaultMaxFrameBytes);
  ~FrameWriter();
  FrameWriter(const FrameWriter&) = delete;
  FrameWriter& operator=(const FrameWriter&) = delete;

  Compression compression() const { return compression_; }
  size_t max_frame_bytes() const { return max_frame_bytes_; }

  // Serializes `frame` (setting its version) and appends the framed bytes to `out`. `compress` =
  // false sends this frame uncompressed even on a zstd connection. ResourceExhausted if the message
  // exceeds max_frame_bytes (the caller should have split it); `out` is unchanged on error.
  absl::Status Append(pb::Frame& frame, std::string* out, bool compress = true);
  // The same for an already serialized message.
  absl::Status AppendSerialized(std::string_view message, std::string* out, bool compress = true);

  const CodecStats& stats() const { return stats_; }

 private:
  Compression compression_;
  size_t max_frame_bytes_;
  struct Zstd;
  std::unique_ptr<Zstd> zstd_;
  std::string scratch_;  // the message, then its compressed form
  CodecStats stats_;
};

// Decodes the frames of one direction from bytes that arrive split anywhere.
class FrameReader {
 public:
  explicit FrameReader(size_t max_frame_bytes = kDefaultMaxFrameBytes);
  ~FrameReader();
  FrameReader(const FrameReader&) = delete;
  FrameReader& operator=(const FrameReader&) = delete;

  // Appends bytes received from the socket.
  void Feed(std::string_view bytes);
  // Decodes the next complete frame into `frame`: true if one was decoded, false if more bytes are
  // needed. An error (a frame above the limit, unknown flags, corrupt zstd data, a message protobuf
  // cannot parse) is sticky: the stream cannot be resynchronized, the connection must be dropped.
  absl::StatusOr<bool> Next(pb::Frame* frame);

  // Bytes fed and not yet decoded.
  size_t buffered() const { return buffer_.size() - pos_; }
  const CodecStats& stats() const { return stats_; }

 private:
  absl::Status Fail(absl::Status status);
  absl::Status Decompress(std::string_view in, std::string* out);

  size_t max_frame_bytes_;
  size_t max_wire_bytes_;  // the compressed form of a frame at the limit may be slightly larger
  std::string buffer_;
  size_t pos_ = 0;  // start of the undecoded bytes in buffer_
  struct Zstd;
  std::unique_ptr<Zstd> zstd_;
  std::string scratch_;
  absl::Status error_;
  CodecStats stats_;
};

}  // namespace sessionkv::replication
