// SPDX-License-Identifier: Apache-2.0
#include "base/strings.h"
#include "server/slowlog.h"


namespace sessionkv::server {

namespace {
// SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING in Redis.
constexpr size_t kMaxArgs = 32;
constexpr size_t kMaxArgBytes = 128;

std::vector<std::string> TrimArgs(const std::vector<std::string_view>& args) {
  const size_t kept = std::min(args.size(), kMaxArgs);
  std::vector<std::string> out;
  out.reserve(kept);
  for (size_t i = 0; i < kept; ++i) {
    if (kept != args.size() && i == kept - 1) {
      out.push_back(StrCat("... (", args.size() - kept + 1, " more arguments)"));
    } else if (args[i].size() > kMaxArgBytes) {
      out.push_back(StrCat(args[i].substr(0, kMaxArgBytes), "... (",
                                 args[i].size() - kMaxArgBytes, " more bytes)"));
    } else {
      out.emplace_back(args[i]);
    }
  }
  return out;
}
}  // namespace

void SlowLog::Add(size_t max_len, int64_t duration_us, int64_t now_sec,
                  const std::vector<std::string_view>& args, std::string client_addr,
                  std::string client_name) {
  SlowLogEntry entry{0, now_sec, duration_us, TrimArgs(args), std::move(client_addr), std::move(client_name)};
  std::lock_guard lock(mu_);
  entry.id = next_id_++;
  entries_.push_front(std::move(entry));
  while (entries_.size() > max_len) entries_.pop_back();
}

std::vector<SlowLogEntry> SlowLog::Get(int64_t count) const {
  std::lock_guard lock(mu_);
  const size_t n = count < 0 ? entries_.size() : std::min<size_t>(count, entries_.size());
  return std::vector<SlowLogEntry>(entries_.begin(), entries_.begin() + n);
}

size_t SlowLog::Len() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void SlowLog::Reset() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

void SlowLog::Trim(size_t max_len) {
  std::lock_guard lock(mu_);
  while (entries_.size() > max_len) entries_.pop_back();
}

}  // namespace sessionkv::server
