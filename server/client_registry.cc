// SPDX-License-Identifier: Apache-2.0
#include "server/client_registry.h"

#include <algorithm>

namespace sessionkv::server {

void ClientRegistry::Add(std::shared_ptr<ClientInfo> info, std::weak_ptr<ClientHandle> handle) {
  std::lock_guard lock(mu_);
  const uint64_t id = info->id;
  clients_[id] = Slot{std::move(info), std::move(handle)};
}

void ClientRegistry::Remove(uint64_t id) {
  std::lock_guard lock(mu_);
  clients_.erase(id);
  if (clients_.empty()) empty_cv_.notify_all();
  auto it = std::find(monitors_.begin(), monitors_.end(), id);
  if (it != monitors_.end()) {
    monitors_.erase(it);
    monitor_count_ = monitors_.size();
  }
}

bool ClientRegistry::WaitUntilEmpty(std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(mu_);
  return empty_cv_.wait_until(lock, deadline, [this] { return clients_.empty(); });
}

size_t ClientRegistry::size() const {
  std::lock_guard lock(mu_);
  return clients_.size();
}

std::vector<ClientRegistry::Client> ClientRegistry::Snapshot() const {
  std::vector<Client> out;
  {
    std::lock_guard lock(mu_);
    out.reserve(clients_.size());
    for (const auto& [id, slot] : clients_) {
      if (auto handle = slot.handle.lock()) out.push_back({slot.info, std::move(handle)});
    }
  }
  std::sort(out.begin(), out.end(), [](const Client& a, const Client& b) { return a.info->id < b.info->id; });
  return out;
}

std::shared_ptr<ClientHandle> ClientRegistry::Find(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second.handle.lock();
}

void ClientRegistry::AddMonitor(uint64_t id) {
  std::lock_guard lock(mu_);
  if (std::find(monitors_.begin(), monitors_.end(), id) == monitors_.end()) monitors_.push_back(id);
  monitor_count_ = monitors_.size();
}

void ClientRegistry::RemoveMonitor(uint64_t id) {
  std::lock_guard lock(mu_);
  monitors_.erase(std::remove(monitors_.begin(), monitors_.end(), id), monitors_.end());
  monitor_count_ = monitors_.size();
}

void ClientRegistry::FeedMonitors(const std::string& line) const {
  std::vector<std::shared_ptr<ClientHandle>> targets;
  {
    std::lock_guard lock(mu_);
    for (uint64_t id : monitors_) {
      auto it = clients_.find(id);
      if (it == clients_.end()) continue;
      if (auto handle = it->second.handle.lock()) targets.push_back(std::move(handle));
    }
  }
  for (auto& target : targets) target->Deliver(line);
}

}  // namespace sessionkv::server
