// SPDX-License-Identifier: Apache-2.0
#include "replication/history.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "base/strings.h"

namespace sessionkv::replication {

namespace {

constexpr std::string_view kMagic = "sessionkv-repl-state";
constexpr int kFormatVersion = 1;
constexpr size_t kIdLength = 40;

bool IsHistoryId(std::string_view id) {
  if (id.size() != kIdLength) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

absl::Status ErrnoError(std::string_view what, const std::string& path) {
  return absl::InternalError(StrCat(what, " ", path, ": ", std::strerror(errno)));
}

absl::Status FsyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? absl::OkStatus() : ErrnoError("fsync", path);
}

bool ParseU64(std::string_view s, uint64_t* v) { return absl::SimpleAtoi(ToAbsl(s), v); }

}  // namespace

std::string MintHistoryId(std::mt19937_64& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(kIdLength);
  while (id.size() < kIdLength) {
    uint64_t bits = rng();
    for (int i = 0; i < 16 && id.size() < kIdLength; ++i, bits >>= 4)
      id.push_back(kHex[bits & 0xf]);
  }
  return id;
}

std::mt19937_64 SeededRng() {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device()};
  return std::mt19937_64(seed);
}

// -------------------------------------------------------------------------------------------------
// HistoryList

absl::Status HistoryList::Validate() const {
  absl::flat_hash_set<std::string> ids;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const HistoryEntry& e = entries_[i];
    const std::string where = StrCat("history entry ", i, " (", e.id, ")");
    if (!IsHistoryId(e.id)) return absl::DataLossError(StrCat(where, ": not a 40-hex-digit id"));
    if (!ids.insert(e.id).second) return absl::DataLossError(StrCat(where, ": id repeated"));
    if (e.epoch == 0) return absl::DataLossError(StrCat(where, ": epoch 0"));
    if (e.first_seq == 0) return absl::DataLossError(StrCat(where, ": first_seq 0"));
    if (!e.open() && e.last_seq + 1 < e.first_seq) {
      return absl::DataLossError(StrCat(where, ": ends before it starts"));
    }
    if (i + 1 < entries_.size()) {
      const HistoryEntry& next = entries_[i + 1];
      if (e.open()) return absl::DataLossError(StrCat(where, ": open but not the newest"));
      if (next.first_seq != e.last_seq + 1) {
        return absl::DataLossError(
            StrCat(where, ": the next entry does not start at ", e.last_seq + 1));
      }
      if (next.epoch < e.epoch)
        return absl::DataLossError(StrCat(where, ": the next epoch is lower"));
    }
  }
  return absl::OkStatus();
}

const HistoryEntry* HistoryList::Find(std::string_view id) const {
  for (const HistoryEntry& e : entries_) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

const HistoryEntry* HistoryList::Covering(uint64_t seq, uint64_t primary_last) const {
  for (const HistoryEntry& e : entries_) {
    if (e.Covers(seq, primary_last)) return &e;
  }
  return nullptr;
}

const HistoryEntry& HistoryList::Open(uint64_t last_seq, uint64_t epoch, std::mt19937_64& rng) {
  if (!entries_.empty() && entries_.back().open()) entries_.back().last_seq = last_seq;
  std::string id;
  do {
    id = MintHistoryId(rng);
  } while (Find(id) != nullptr);
  entries_.push_back({.id = std::move(id), .epoch = epoch, .first_seq = last_seq + 1});
  return entries_.back();
}

const HistoryEntry& HistoryList::MintOnStart(uint64_t recovered_seq, std::mt19937_64& rng) {
  return Open(recovered_seq, entries_.empty() ? 1 : epoch(), rng);
}

const HistoryEntry& HistoryList::MintOnPromotion(uint64_t last_applied, std::mt19937_64& rng) {
  return Open(last_applied, epoch() + 1, rng);
}

void HistoryList::Prune(size_t max_entries) {
  if (entries_.size() > max_entries) {
    entries_.erase(entries_.begin(), entries_.end() - static_cast<ptrdiff_t>(max_entries));
  }
}

// -------------------------------------------------------------------------------------------------
// The repl-state file

std::string FormatReplState(const ReplState& state) {
  std::string out = StrCat(kMagic, " ", kFormatVersion, "\n");
  StrAppend(&out, "node ", state.node_id, "\n");
  for (const HistoryEntry& e : state.history.entries()) {
    StrAppend(&out, "history ", e.id, " ", e.epoch, " ", e.first_seq, " ");
    if (e.open()) {
      out += "open\n";
    } else {
      StrAppend(&out, e.last_seq, "\n");
    }
  }
  return out;
}

absl::StatusOr<ReplState> ParseReplState(std::string_view text) {
  ReplState state;
  std::vector<HistoryEntry> entries;
  int lineno = 0;
  bool have_magic = false;
  for (absl::string_view raw : absl::StrSplit(ToAbsl(text), '\n', absl::SkipEmpty())) {
    ++lineno;
    std::vector<std::string_view> f;
    for (absl::string_view w : absl::StrSplit(raw, ' ', absl::SkipEmpty()))
      f.push_back(FromAbsl(w));
    const auto bad = [&](std::string_view why) {
      return absl::DataLossError(StrCat("repl-state line ", lineno, ": ", why));
    };
    if (!have_magic) {
      uint64_t version = 0;
      if (f.size() != 2 || f[0] != kMagic || !ParseU64(f[1], &version))
        return bad("not a repl-state file");
      if (version != kFormatVersion)
        return bad(StrCat("format version ", version, " is not supported"));
      have_magic = true;
    } else if (f[0] == "node" && f.size() == 2) {
      state.node_id = std::string(f[1]);
    } else if (f[0] == "history" && f.size() == 5) {
      HistoryEntry e{.id = std::string(f[1])};
      if (!ParseU64(f[2], &e.epoch) || !ParseU64(f[3], &e.first_seq)) return bad("bad number");
      if (f[4] != "open" && (!ParseU64(f[4], &e.last_seq) || e.last_seq == kOpenSeq)) {
        return bad("bad last sequence");
      }
      entries.push_back(std::move(e));
    } else {
      return bad(StrCat("unknown record '", f[0], "'"));
    }
  }
  if (!have_magic) return absl::DataLossError("repl-state is empty");
  state.history = HistoryList(std::move(entries));
  if (absl::Status s = state.history.Validate(); !s.ok()) return s;
  return state;
}

absl::StatusOr<ReplState> LoadReplState(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return absl::NotFoundError(StrCat(path, " does not exist"));
    return ErrnoError("open", path);
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<ReplState> state = ParseReplState(text.str());
  if (!state.ok()) return absl::DataLossError(StrCat(path, ": ", state.status().message()));
  return state;
}

absl::Status SaveReplState(const std::string& path, const ReplState& state) {
  if (absl::Status s = state.history.Validate(); !s.ok()) return s;
  const std::string text = FormatReplState(state);
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("open", tmp);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status s = ErrnoError("write", tmp);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    absl::Status s = ErrnoError("fsync", tmp);
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoError("rename", tmp);
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  return FsyncPath(dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace sessionkv::replication
