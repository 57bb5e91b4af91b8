// SPDX-License-Identifier: Apache-2.0
#include "replication/snapshot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sessionkv::replication {
namespace {

// ------------------------------------------------------------------------------------------ crc32c

constexpr uint32_t kCastagnoli = 0x82F63B78;  // reflected polynomial 0x1EDC6F41

// Slice-by-8 tables: kTables[k][b] is the crc of byte b followed by k zero bytes.
using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int bit = 0; bit < 8; ++bit) c = (c >> 1) ^ ((c & 1) ? kCastagnoli : 0);
    t[0][b] = c;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (uint32_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFF];
  }
  return t;
}

constexpr Tables kTables = MakeTables();

uint64_t LoadLittle64(const unsigned char* p) {
  uint64_t w = 0;
  for (int i = 7; i >= 0; --i) w = (w << 8) | p[i];  // compilers fold this into one load on x86
  return w;
}

// `state` is the inverted crc, as the hardware instruction keeps it.
uint32_t PortableUpdate(uint32_t state, const unsigned char* p, size_t n) {
  for (; n >= 8; p += 8, n -= 8) {
    const uint64_t w = LoadLittle64(p) ^ state;
    state = kTables[7][w & 0xFF] ^ kTables[6][(w >> 8) & 0xFF] ^ kTables[5][(w >> 16) & 0xFF] ^
            kTables[4][(w >> 24) & 0xFF] ^ kTables[3][(w >> 32) & 0xFF] ^
            kTables[2][(w >> 40) & 0xFF] ^ kTables[1][(w >> 48) & 0xFF] ^ kTables[0][w >> 56];
  }
  for (; n > 0; ++p, --n) state = kTables[0][(state ^ *p) & 0xFF] ^ (state >> 8);
  return state;
}

#if defined(__x86_64__)
// SSE4.2's crc32 instruction computes exactly crc32c, several times faster than the tables: a 1 GB
// checkpoint is checksummed on both sides, so it shows in the sync time.
__attribute__((target("sse4.2"))) uint32_t HardwareUpdate(uint32_t state, const unsigned char* p,
                                                          size_t n) {
  uint64_t c = state;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, sizeof w);
    c = __builtin_ia32_crc32di(c, w);
  }
  auto s = static_cast<uint32_t>(c);
  for (; n > 0; ++p, --n) s = __builtin_ia32_crc32qi(s, *p);
  return s;
}

bool HasSse42() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

// --------------------------------------------------------------------------------- POSIX helpers

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

std::string Join(const std::string& dir, const std::string& name) { return dir + "/" + name; }

absl::Status FsyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("fsync", path);
  return absl::OkStatus();
}

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

// A name the receiver may create inside its staging directory: one plain component.
bool SafeFileName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

}  // namespace

namespace internal {
uint32_t Crc32cPortable(uint32_t crc, std::string_view data) {
  return ~PortableUpdate(~crc, reinterpret_cast<const unsigned char*>(data.data()), data.size());
}
}  // namespace internal

uint32_t Crc32c(uint32_t crc, std::string_view data) {
#if defined(__x86_64__)
  if (HasSse42()) {
    return ~HardwareUpdate(~crc, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  }
#endif
  return internal::Crc32cPortable(crc, data);
}

bool ChunkWantsCompression(const pb::SnapshotChunk& chunk) {
  const std::string& f = chunk.file();
  return !(f.ends_with(".sst") || f.ends_with(".blob"));
}

std::string SnapshotProgressText(uint64_t sent, uint64_t total) {
  const uint64_t percent = total == 0 ? 100 : sent * 100 / total;
  return absl::StrFormat("Full sync: %.1f MB of %.1f MB sent (%d%%)", sent / 1e6, total / 1e6,
                         percent);
}

// ------------------------------------------------------------------------------------------ sender

absl::StatusOr<std::unique_ptr<SnapshotSender>> SnapshotSender::Open(const std::string& dir,
                                                                     size_t chunk_bytes) {
  if (chunk_bytes < kMinChunkBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("chunk size ", chunk_bytes, " is below ", kMinChunkBytes));
  }
  auto files = storage::ListCheckpoint(dir);
  if (!files.ok()) return files.status();
  std::unique_ptr<SnapshotSender> sender(new SnapshotSender(dir, std::move(*files), chunk_bytes));
  for (const storage::CheckpointFile& f : sender->files_) {
    if (sender->DataBudget(f) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("chunk size ", chunk_bytes, " leaves no room for data of ", f.name));
    }
  }
  return sender;
}

SnapshotSender::SnapshotSender(std::string dir, std::vector<storage::CheckpointFile> files,
                               size_t chunk_bytes)
    : dir_(std::move(dir)), files_(std::move(files)), chunk_bytes_(chunk_bytes) {
  for (const storage::CheckpointFile& f : files_) total_bytes_ += f.size;
}

SnapshotSender::~SnapshotSender() { CloseFile(); }

size_t SnapshotSender::DataBudget(const storage::CheckpointFile& file) const {
  // The header at its largest (offset at the file's end, crc and last set), then data's tag and
  // length: what is left of chunk_bytes_ is data.
  pb::SnapshotChunk header;
  header.set_file(file.name);
  header.set_size(file.size);
  header.set_offset(file.size);
  header.set_crc32c(UINT32_MAX);
  header.set_last(true);
  const size_t overhead = header.ByteSizeLong() + 1 + VarintSize(chunk_bytes_);
  return chunk_bytes_ > overhead ? chunk_bytes_ - overhead : 0;
}

absl::Status SnapshotSender::OpenCurrentFile() {
  const storage::CheckpointFile& file = files_[index_];
  const std::string path = Join(dir_, file.name);
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return Errno("open", path);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return Errno("stat", path);
  if (static_cast<uint64_t>(st.st_size) != file.size) {
    return absl::FailedPreconditionError(absl::StrCat(path, " changed size from ", file.size,
                                                      " to ", st.st_size, " during the transfer"));
  }
  return absl::OkStatus();
}

void SnapshotSender::CloseFile() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

absl::Status SnapshotSender::ReadAt(uint64_t offset, size_t n, char* out) const {
  while (n > 0) {
    const ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return Errno("read", Join(dir_, files_[index_].name));
    if (got == 0) {
      return absl::DataLossError(
          absl::StrCat(Join(dir_, files_[index_].name), " ended early at ", offset));
    }
    out += got;
    offset += static_cast<uint64_t>(got);
    n -= static_cast<size_t>(got);
  }
  return absl::OkStatus();
}

absl::Status SnapshotSender::Start(const SnapshotPosition& from) {
  CloseFile();
  done_ = false;
  index_ = 0;
  offset_ = 0;
  crc_ = 0;
  bytes_sent_ = 0;
  if (from.file.empty()) return absl::OkStatus();
  while (index_ < files_.size() && files_[index_].name != from.file) {
    bytes_sent_ += files_[index_].size;
    ++index_;
  }
  if (index_ == files_.size()) {
    index_ = 0;
    bytes_sent_ = 0;
    return absl::NotFoundError(absl::StrCat("the snapshot has no file ", from.file));
  }
  const storage::CheckpointFile& file = files_[index_];
  if (from.offset > file.size) {
    return absl::OutOfRangeError(absl::StrCat("offset ", from.offset, " is past the end of ",
                                              file.name, " (", file.size, " bytes)"));
  }
  bytes_sent_ += from.offset;
  if (from.offset == file.size) {  // the receiver has the whole file
    ++index_;
    return absl::OkStatus();
  }
  // The crc32c covers the whole file: recompute it over the part the receiver already has.
  if (absl::Status s = OpenCurrentFile(); !s.ok()) return s;
  std::string buffer(std::min<uint64_t>(chunk_bytes_, from.offset), '\0');
  for (uint64_t at = 0; at < from.offset;) {
    const size_t n = std::min<uint64_t>(buffer.size(), from.offset - at);
    if (absl::Status s = ReadAt(at, n, buffer.data()); !s.ok()) return s;
    crc_ = Crc32c(crc_, std::string_view(buffer.data(), n));
    at += n;
  }
  offset_ = from.offset;
  return absl::OkStatus();
}

absl::StatusOr<bool> SnapshotSender::Next(pb::SnapshotChunk* chunk) {
  chunk->Clear();
  if (done_) return false;
  if (index_ == files_.size()) {
    chunk->set_snapshot_done(true);
    done_ = true;
    return true;
  }
  const storage::CheckpointFile& file = files_[index_];
  if (fd_ < 0) {
    if (absl::Status s = OpenCurrentFile(); !s.ok()) {
      CloseFile();
      return s;
    }
  }
  const size_t n = std::min<uint64_t>(DataBudget(file), file.size - offset_);
  std::string* data = chunk->mutable_data();
  data->resize(n);
  if (absl::Status s = ReadAt(offset_, n, data->data()); !s.ok()) return s;
  chunk->set_file(file.name);
  chunk->set_size(file.size);
  chunk->set_offset(offset_);
  crc_ = Crc32c(crc_, *data);
  offset_ += n;
  bytes_sent_ += n;
  if (offset_ == file.size) {
    chunk->set_last(true);
    chunk->set_crc32c(crc_);
    CloseFile();
    ++index_;
    offset_ = 0;
    crc_ = 0;
  }
  return true;
}

// ---------------------------------------------------------------------------------------- receiver

absl::StatusOr<std::unique_ptr<SnapshotReceiver>> SnapshotReceiver::Create(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::create_directory(dir, ec)) {
    if (ec) return absl::InternalError(absl::StrCat("create ", dir, ": ", ec.message()));
    return absl::AlreadyExistsError(absl::StrCat(dir, " exists"));
  }
  return std::unique_ptr<SnapshotReceiver>(new SnapshotReceiver(dir));
}

SnapshotReceiver::~SnapshotReceiver() {
  if (fd_ >= 0) ::close(fd_);
}

SnapshotPosition SnapshotReceiver::resume_point() const { return {current_, written_}; }

absl::Status SnapshotReceiver::Apply(const pb::SnapshotChunk& chunk) {
  if (!error_.ok()) return error_;
  absl::Status status = ApplyChunk(chunk);
  if (!status.ok()) {
    error_ = status;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  return status;
}

absl::Status SnapshotReceiver::ApplyChunk(const pb::SnapshotChunk& chunk) {
  if (done_) return absl::FailedPreconditionError("a chunk after snapshot_done");
  if (chunk.snapshot_done()) {
    if (!chunk.file().empty() || !chunk.data().empty()) {
      return absl::InvalidArgumentError("the snapshot_done chunk carries file data");
    }
    return Finish();
  }
  if (fd_ < 0) {
    if (absl::Status s = BeginFile(chunk); !s.ok()) return s;
  } else if (chunk.file() != current_) {
    return absl::FailedPreconditionError(absl::StrCat(chunk.file(), " arrived while ", current_,
                                                      " stands at ", written_, " of ", size_));
  }
  const std::string& data = chunk.data();
  if (chunk.size() != size_ || chunk.offset() != written_ || data.size() > size_ - written_) {
    return absl::FailedPreconditionError(absl::StrCat(
        current_, ": a chunk at ", chunk.offset(), " of ", data.size(), " bytes (file size ",
        chunk.size(), ") does not continue at ", written_, " of ", size_));
  }
  const bool ends = written_ + data.size() == size_;
  if (ends != chunk.last()) {
    return absl::FailedPreconditionError(absl::StrCat(current_, ": last is ", chunk.last(), " at ",
                                                      written_ + data.size(), " of ", size_));
  }
  for (size_t at = 0; at < data.size();) {
    const ssize_t put = ::write(fd_, data.data() + at, data.size() - at);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) return Errno("write", Join(dir_, current_));
    at += static_cast<size_t>(put);
  }
  crc_ = Crc32c(crc_, data);
  written_ += data.size();
  bytes_received_ += data.size();
  return ends ? FinishFile(chunk) : absl::OkStatus();
}

absl::Status SnapshotReceiver::BeginFile(const pb::SnapshotChunk& chunk) {
  if (!SafeFileName(chunk.file())) {
    return absl::InvalidArgumentError(absl::StrCat("unsafe file name '", chunk.file(), "'"));
  }
  if (complete_.contains(chunk.file())) {
    return absl::FailedPreconditionError(absl::StrCat(chunk.file(), " arrived twice"));
  }
  const std::string path = Join(dir_, chunk.file());
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) return Errno("create", path);
  current_ = chunk.file();
  size_ = chunk.size();
  written_ = 0;
  crc_ = 0;
  return absl::OkStatus();
}

absl::Status SnapshotReceiver::FinishFile(const pb::SnapshotChunk& chunk) {
  if (crc_ != chunk.crc32c()) {
    return absl::DataLossError(
        absl::StrFormat("%s: crc32c %08x, the primary sent %08x", current_, crc_, chunk.crc32c()));
  }
  const std::string path = Join(dir_, current_);
  const int rc = ::fsync(fd_);
  ::close(fd_);
  fd_ = -1;
  if (rc != 0) return Errno("fsync", path);
  complete_.insert(current_);
  return absl::OkStatus();
}

absl::Status SnapshotReceiver::Finish() {
  if (fd_ >= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("snapshot_done while ", current_, " stands at ", written_, " of ", size_));
  }
  if (!complete_.contains("CURRENT")) {
    return absl::FailedPreconditionError(
        "snapshot_done without CURRENT: the snapshot cannot be opened");
  }
  if (absl::Status s = FsyncPath(dir_, O_RDONLY | O_DIRECTORY); !s.ok()) return s;
  done_ = true;
  return absl::OkStatus();
}

}  // namespace sessionkv::replication
