// SPDX-License-Identifier: Apache-2.0
#include "storage/watch.h"

#include <algorithm>

namespace sessionkv::storage {

namespace {
const Entry* FindIn(const Dict& dict, std::string_view key) { return dict.Find(key, Dict::Hash(key)); }
}  // namespace

bool WatchTable::Add(std::string_view key, const std::shared_ptr<WatchFlag>& flag, bool expired) {
  auto it = keys_.find(key);
  if (it == keys_.end()) it = keys_.emplace(std::string(key), Watchers()).first;
  Watchers& watchers = it->second;
  for (const Watcher& w : watchers) {
    if (w.flag == flag) return false;
  }
  watchers.push_back({flag, expired});
  return true;
}

bool WatchTable::Remove(std::string_view key, const WatchFlag* flag) {
  auto it = keys_.find(key);
  if (it == keys_.end()) return false;
  Watchers& watchers = it->second;
  auto w = std::find_if(watchers.begin(), watchers.end(),
                        [&](const Watcher& x) { return x.flag.get() == flag; });
  if (w == watchers.end()) return false;
  watchers.erase(w);
  if (watchers.empty()) keys_.erase(it);
  return true;
}

void WatchTable::Touch(std::string_view key, const Dict& dict) {
  auto it = keys_.find(key);
  if (it == keys_.end()) return;
  bool looked_up = false;
  bool exists = false;
  for (Watcher& w : it->second) {
    if (w.expired) {
      // Redis skips such a watcher while the expired key is still there, and forgets the expiry once the key
      // is gone: deleting an already expired key changes nothing a client could have read.
      if (!looked_up) {
        exists = FindIn(dict, key) != nullptr;
        looked_up = true;
      }
      if (!exists) w.expired = false;
      continue;
    }
    w.flag->dirty.store(true, std::memory_order_relaxed);
  }
}

void WatchTable::TouchAll(const Dict& emptied, const Dict* replaced_with, int64_t now_ms) {
  for (auto& [key, watchers] : keys_) {
    const bool in_emptied = FindIn(emptied, key) != nullptr;
    const Entry* replacement = replaced_with == nullptr ? nullptr : FindIn(*replaced_with, key);
    if (!in_emptied && replacement == nullptr) continue;
    const bool replacement_expired = IsLogicallyExpired(replacement, now_ms);
    for (Watcher& w : watchers) {
      if (w.expired) {
        if (replacement == nullptr) {
          w.expired = false;  // the expired key is gone: no logical change
          continue;
        }
        if (replacement_expired) continue;  // still an expired key
      } else if (!in_emptied && replacement_expired) {
        w.expired = true;  // a missing key became an expired one: still missing to a reader
        continue;
      }
      w.flag->dirty.store(true, std::memory_order_relaxed);
    }
  }
}

bool WatchTable::ExpiredSinceWatch(std::string_view key, const WatchFlag* flag, const Dict& dict,
                                   int64_t now_ms) const {
  auto it = keys_.find(key);
  if (it == keys_.end()) return false;
  for (const Watcher& w : it->second) {
    if (w.flag.get() == flag) return !w.expired && IsLogicallyExpired(FindIn(dict, key), now_ms);
  }
  return false;
}

}  // namespace sessionkv::storage
