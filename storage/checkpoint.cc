// SPDX-License-Identifier: Apache-2.0
#include "storage/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/checkpoint.h"

namespace sessionkv::storage {
namespace {

namespace fs = std::filesystem;

absl::Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(what, ": ", s.ToString()));
}

absl::Status FromErrorCode(const std::error_code& ec, const std::string& what,
                           const fs::path& path) {
  return absl::InternalError(absl::StrCat(what, " ", path.string(), ": ", ec.message()));
}

}  // namespace

absl::StatusOr<uint64_t> CreateCheckpoint(rocksdb::DB* db, const std::string& dir,
                                          uint64_t log_size_for_flush) {
  std::error_code ec;
  if (fs::exists(dir, ec)) return absl::AlreadyExistsError(absl::StrCat(dir, " exists"));
  rocksdb::Checkpoint* raw = nullptr;
  absl::Status status = FromRocks(rocksdb::Checkpoint::Create(db, &raw), "checkpoint");
  if (!status.ok()) return status;
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  const uint64_t before = db->GetLatestSequenceNumber();
  uint64_t seq = 0;
  status = FromRocks(checkpoint->CreateCheckpoint(dir, log_size_for_flush, &seq),
                     absl::StrCat("checkpoint into ", dir));
  if (!status.ok()) return status;
  // RocksDB reads the sequence before it captures the files, so writes that raced with the
  // checkpoint may be in it beyond `seq`. Lockstep needs the exact one: if anything was written
  // meanwhile, ask the checkpoint itself.
  if (db->GetLatestSequenceNumber() == before && seq == before) return seq;
  return CheckpointSequence(dir);
}

absl::StatusOr<uint64_t> CheckpointSequence(const std::string& dir) {
  // Only the default column family with the bytewise comparator exists (storage/rocks_engine.cc),
  // so default options open it; the compaction filter does not matter to a read-only open.
  rocksdb::Options options;
  options.create_if_missing = false;
  rocksdb::DB* raw = nullptr;
  absl::Status status = FromRocks(rocksdb::DB::OpenForReadOnly(options, dir, &raw),
                                  absl::StrCat("open ", dir, " read-only"));
  if (!status.ok()) return status;
  std::unique_ptr<rocksdb::DB> db(raw);
  return db->GetLatestSequenceNumber();
}

absl::StatusOr<std::vector<CheckpointFile>> ListCheckpoint(const std::string& dir) {
  std::vector<CheckpointFile> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    if (!entry.is_regular_file(ec) || ec) {
      return absl::FailedPreconditionError(
          absl::StrCat(entry.path().string(), " is not a regular file"));
    }
    const uint64_t size = entry.file_size(ec);
    if (ec) return FromErrorCode(ec, "size of", entry.path());
    files.push_back({entry.path().filename().string(), size});
  }
  if (ec) return FromErrorCode(ec, "list", dir);
  std::sort(files.begin(), files.end(), [](const CheckpointFile& a, const CheckpointFile& b) {
    const bool a_current = a.name == "CURRENT";
    const bool b_current = b.name == "CURRENT";
    if (a_current != b_current) return b_current;
    return a.name < b.name;
  });
  return files;
}

absl::Status RemoveTree(const std::string& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return FromErrorCode(ec, "remove", dir);
  return absl::OkStatus();
}

}  // namespace sessionkv::storage
