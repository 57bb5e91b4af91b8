// SPDX-License-Identifier: Apache-2.0
#include "replication/frame_codec.h"

#include <zstd.h>

#include <algorithm>

#include "base/strings.h"

namespace sessionkv::replication {

namespace {

constexpr size_t kMaxVarintBytes = 10;

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

enum class VarintResult { kOk, kNeedMore, kBad };

// Reads a varint from the front of `in`; *used is its length.
VarintResult ReadVarint(std::string_view in, uint64_t* value, size_t* used) {
  uint64_t v = 0;
  for (size_t i = 0; i < in.size() && i < kMaxVarintBytes; ++i) {
    const auto byte = static_cast<uint8_t>(in[i]);
    if (i == kMaxVarintBytes - 1 && byte > 1) return VarintResult::kBad;  // past 64 bits
    v |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      *value = v;
      *used = i + 1;
      return VarintResult::kOk;
    }
  }
  return in.size() >= kMaxVarintBytes ? VarintResult::kBad : VarintResult::kNeedMore;
}

absl::Status TooLarge(uint64_t size, size_t limit) {
  return absl::ResourceExhaustedError(
      StrCat("replication frame of ", size, " bytes exceeds the limit of ", limit, " bytes"));
}

}  // namespace

absl::StatusOr<Compression> ParseCompression(std::string_view word) {
  if (EqualsIgnoreCase(word, "zstd")) return Compression::kZstd;
  if (EqualsIgnoreCase(word, "none")) return Compression::kNone;
  return absl::InvalidArgumentError(
      StrCat("repl-compression must be zstd or none, not '", word, "'"));
}

std::string_view CompressionName(Compression compression) {
  return compression == Compression::kZstd ? "zstd" : "none";
}

// -------------------------------------------------------------------------------------------------
// FrameWriter

struct FrameWriter::Zstd {
  ZSTD_CCtx* ctx = ZSTD_createCCtx();
  ~Zstd() { ZSTD_freeCCtx(ctx); }
};

FrameWriter::FrameWriter(Compression compression, int level, size_t max_frame_bytes)
    : compression_(compression), max_frame_bytes_(max_frame_bytes) {
  if (compression_ == Compression::kZstd) {
    zstd_ = std::make_unique<Zstd>();
    ZSTD_CCtx_setParameter(zstd_->ctx, ZSTD_c_compressionLevel, level);
    // The reader caps its window (FrameReader's windowLogMax); stay well inside it at any level.
    ZSTD_CCtx_setParameter(zstd_->ctx, ZSTD_c_windowLog, 20);
  }
}

FrameWriter::~FrameWriter() = default;

absl::Status FrameWriter::Append(pb::Frame& frame, std::string* out, bool compress) {
  frame.set_version(kProtocolVersion);
  std::string message;
  if (!frame.SerializeToString(&message)) {
    return absl::InternalError("replication frame could not be serialized");
  }
  return AppendSerialized(message, out, compress);
}

absl::Status FrameWriter::AppendSerialized(std::string_view message, std::string* out,
                                           bool compress) {
  if (message.size() > max_frame_bytes_) return TooLarge(message.size(), max_frame_bytes_);
  const size_t start = out->size();
  if (!compress || zstd_ == nullptr) {
    AppendVarint(message.size(), out);
    out->push_back(0);
    out->append(message);
  } else {
    // Compress into scratch_ first: the header needs the compressed length.
    scratch_.resize(ZSTD_compressBound(message.size()) + 64);
    ZSTD_inBuffer in{message.data(), message.size(), 0};
    ZSTD_outBuffer dst{scratch_.data(), scratch_.size(), 0};
    while (true) {
      const size_t left = ZSTD_compressStream2(zstd_->ctx, &dst, &in, ZSTD_e_flush);
      if (ZSTD_isError(left)) {
        // The context's state is unknown now; the peer could no longer follow it either.
        return absl::InternalError(StrCat("zstd: ", ZSTD_getErrorName(left)));
      }
      if (left == 0) break;
      scratch_.resize(scratch_.size() * 2);  // flush needs more room than the bound (rare)
      dst.dst = scratch_.data();
      dst.size = scratch_.size();
    }
    AppendVarint(dst.pos, out);
    out->push_back(static_cast<char>(kFlagZstd));
    out->append(scratch_.data(), dst.pos);
  }
  ++stats_.frames;
  stats_.payload_bytes += message.size();
  stats_.wire_bytes += out->size() - start;
  return absl::OkStatus();
}

// -------------------------------------------------------------------------------------------------
// FrameReader

struct FrameReader::Zstd {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  ~Zstd() { ZSTD_freeDCtx(ctx); }
};

FrameReader::FrameReader(size_t max_frame_bytes)
    : max_frame_bytes_(max_frame_bytes),
      max_wire_bytes_(ZSTD_compressBound(max_frame_bytes) + 64) {}

FrameReader::~FrameReader() = default;

void FrameReader::Feed(std::string_view bytes) {
  // Drop the decoded prefix once it is at least half the buffer: amortized O(1) per byte.
  if (pos_ > 0 && pos_ >= buffer_.size() / 2) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
}

absl::Status FrameReader::Fail(absl::Status status) {
  error_ = std::move(status);
  return error_;
}

absl::StatusOr<bool> FrameReader::Next(pb::Frame* frame) {
  if (!error_.ok()) return error_;
  const std::string_view in = std::string_view(buffer_).substr(pos_);
  uint64_t length = 0;
  size_t used = 0;
  switch (ReadVarint(in, &length, &used)) {
    case VarintResult::kNeedMore:
      return false;
    case VarintResult::kBad:
      return Fail(absl::DataLossError("replication frame has a malformed length"));
    case VarintResult::kOk:
      break;
  }
  if (length > max_wire_bytes_) return Fail(TooLarge(length, max_frame_bytes_));
  if (in.size() < used + 1 + length) return false;
  const auto flags = static_cast<uint8_t>(in[used]);
  if ((flags & ~kKnownFlags) != 0) {
    return Fail(
        absl::DataLossError(StrCat("replication frame has unknown flags 0x", absl::Hex(flags))));
  }
  std::string_view payload = in.substr(used + 1, length);
  if (flags & kFlagZstd) {
    if (absl::Status s = Decompress(payload, &scratch_); !s.ok()) return Fail(std::move(s));
    payload = scratch_;
  } else if (payload.size() > max_frame_bytes_) {
    return Fail(TooLarge(payload.size(), max_frame_bytes_));
  }
  if (!frame->ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return Fail(absl::DataLossError("replication frame does not parse as a Frame message"));
  }
  pos_ += used + 1 + length;
  ++stats_.frames;
  stats_.payload_bytes += payload.size();
  stats_.wire_bytes += used + 1 + length;
  return true;
}

// Runs one flushed zstd block through the direction's context. The writer flushed at the frame's
// end, so all of the frame's bytes come out of exactly this input; output beyond the limit is an
// error, which also stops a decompression bomb early.
absl::Status FrameReader::Decompress(std::string_view in, std::string* out) {
  if (zstd_ == nullptr) {
    zstd_ = std::make_unique<Zstd>();
    ZSTD_DCtx_setParameter(zstd_->ctx, ZSTD_d_windowLogMax, 23);
  }
  out->resize(std::min(max_frame_bytes_ + 1, std::max<size_t>(4096, in.size() * 4)));
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  ZSTD_outBuffer dst{out->data(), out->size(), 0};
  while (true) {
    const size_t ret = ZSTD_decompressStream(zstd_->ctx, &dst, &src);
    if (ZSTD_isError(ret)) {
      return absl::DataLossError(StrCat("replication frame: zstd: ", ZSTD_getErrorName(ret)));
    }
    if (dst.pos > max_frame_bytes_) return TooLarge(dst.pos, max_frame_bytes_);
    if (src.pos == src.size && dst.pos < dst.size) break;  // input used up and everything flushed
    if (dst.pos == dst.size) {
      out->resize(std::min(max_frame_bytes_ + 1, out->size() * 2));
      dst.dst = out->data();
      dst.size = out->size();
    }
  }
  out->resize(dst.pos);
  return absl::OkStatus();
}

}  // namespace sessionkv::replication
