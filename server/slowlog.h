// SPDX-License-Identifier: Apache-2.0
// SLOWLOG: the most recent commands that ran longer than slowlog-log-slower-than, as Redis keeps them.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sessionkv::server {

struct SlowLogEntry {
  uint64_t id = 0;
  int64_t time_sec = 0;
  int64_t duration_us = 0;
  std::vector<std::string> args;  // trimmed as Redis does (32 arguments, 128 bytes each)
  std::string client_addr;
  std::string client_name;
};

class SlowLog {
 public:
  // Records a command (the caller checked slowlog-log-slower-than); keeps at most max_len entries.
  void Add(size_t max_len, int64_t duration_us, int64_t now_sec, const std::vector<std::string_view>& args,
           std::string client_addr, std::string client_name);
  // The newest `count` entries, newest first (count < 0: all).
  std::vector<SlowLogEntry> Get(int64_t count) const;
  size_t Len() const;
  void Reset();
  // Drops the oldest entries beyond max_len (after CONFIG SET slowlog-max-len).
  void Trim(size_t max_len);

 private:
  mutable std::mutex mu_;
  std::deque<SlowLogEntry> entries_;  // newest at the front
  uint64_t next_id_ = 0;
};

}  // namespace sessionkv::server
