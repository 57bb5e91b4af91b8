// SPDX-License-Identifier: Apache-2.0
// Connected clients as other threads see them: CLIENT LIST/KILL, INFO clients, MONITOR fan-out.
// A connection's own per-request state is ClientState (client_state.h); ClientInfo is the part that other
// threads may read, so its fields are atomics or guarded by a mutex.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "storage/watch.h"

namespace sessionkv::server {

struct CommandSpec;

// Implemented by a connection; every method may be called from any thread.
class ClientHandle {
 public:
  virtual ~ClientHandle() = default;
  // Queues bytes (a MONITOR line, later a pub/sub message) to be written to the client.
  virtual void Deliver(std::string bytes) = 0;
  // Closes the connection as soon as its thread gets to it.
  virtual void Kill() = 0;
  // Ends the client's blocked command (BLPOP...) with `reply`, sent once commit-log `ticket` is durable
  // (0: at once), and runs the rest of its pipeline.
  virtual void Resume(std::string reply, uint64_t ticket) = 0;
  // Graceful shutdown: the connection executes nothing more, writes the replies of the commands it
  // has executed, then closes (server/shutdown.h).
  virtual void Drain() = 0;
};

enum ClientFlag : uint32_t {
  kClientMonitor = 1u << 0,
  kClientNoEvict = 1u << 1,
  kClientNoTouch = 1u << 2,
  kClientCloseAsap = 1u << 3,
  kClientReplica = 1u << 4,  // a replica's stream (SKVSYNC): CLIENT LIST flag S
  kClientBlocked = 1u << 8,  // waiting in a blocking command (CLIENT LIST flag b)
};

class ClientInfo {
 public:
  ClientInfo(uint64_t id, std::string addr, std::string laddr, int fd, int64_t created_ms)
      : id(id), addr(std::move(addr)), laddr(std::move(laddr)), fd(fd), created_ms(created_ms) {}

  const uint64_t id;
  const std::string addr;   // "127.0.0.1:53412"
  const std::string laddr;  // "127.0.0.1:6379"
  const int fd;
  const int64_t created_ms;
  // The peer is on the loopback interface (Redis's connIsLocal): set once before the client is registered.
  bool loopback = false;

  std::atomic<int> db{0};
  std::atomic<int> resp{2};
  std::atomic<uint32_t> flags{0};
  std::atomic<int64_t> last_interaction_ms{0};
  std::atomic<uint64_t> query_buffer_bytes{0};
  std::atomic<uint64_t> query_buffer_free{0};
  std::atomic<uint64_t> output_buffer_bytes{0};
  // Bytes handed to Deliver() and not yet written to the socket (about: replies written meanwhile
  // count too). A replication stream waits while it is high, so a slow replica costs no memory.
  std::atomic<uint64_t> delivered_unwritten{0};
  std::atomic<int> channels{0};  // CLIENT LIST sub=
  std::atomic<int> patterns{0};  // CLIENT LIST psub=
  // The last command run (CLIENT LIST cmd=); a pointer into the command table, which outlives clients.
  std::atomic<const CommandSpec*> last_command{nullptr};
  std::atomic<int> multi{-1};          // commands queued since MULTI, -1 outside MULTI (CLIENT LIST multi=)
  std::atomic<uint64_t> multi_mem{0};  // CLIENT LIST multi-mem=
  // Set by whichever thread changes a key this client WATCHes (storage/watch.h); CLIENT LIST flag d.
  const std::shared_ptr<storage::WatchFlag> watch_flag = std::make_shared<storage::WatchFlag>();

  std::string name() const { return Get(&ClientInfo::name_); }
  std::string lib_name() const { return Get(&ClientInfo::lib_name_); }
  std::string lib_ver() const { return Get(&ClientInfo::lib_ver_); }
  std::string user_name() const { return Get(&ClientInfo::user_name_); }
  void set_name(std::string v) { Set(&ClientInfo::name_, std::move(v)); }
  void set_lib_name(std::string v) { Set(&ClientInfo::lib_name_, std::move(v)); }
  void set_lib_ver(std::string v) { Set(&ClientInfo::lib_ver_, std::move(v)); }
  void set_user_name(std::string v) { Set(&ClientInfo::user_name_, std::move(v)); }

 private:
  std::string Get(std::string ClientInfo::*field) const {
    std::lock_guard lock(mu_);
    return this->*field;
  }
  void Set(std::string ClientInfo::*field, std::string v) {
    std::lock_guard lock(mu_);
    this->*field = std::move(v);
  }

  mutable std::mutex mu_;
  std::string name_, lib_name_, lib_ver_;
  std::string user_name_ = "default";  // the ACL user (CLIENT LIST user=)
};

// The CLIENT LIST / CLIENT INFO line of a client, with its final "\n" (server/commands/client.cc). The ACL
// LOG keeps it, without the newline, as an entry's client-info.
std::string ClientListLine(const ClientInfo& info, int64_t now_ms);

class ClientRegistry {
 public:
  struct Client {
    std::shared_ptr<ClientInfo> info;
    std::shared_ptr<ClientHandle> handle;
  };

  uint64_t NextId() { return next_id_.fetch_add(1, std::memory_order_relaxed); }
  void Add(std::shared_ptr<ClientInfo> info, std::weak_ptr<ClientHandle> handle);
  void Remove(uint64_t id);
  size_t size() const;
  // Live clients in id order.
  std::vector<Client> Snapshot() const;
  std::shared_ptr<ClientHandle> Find(uint64_t id) const;
  // Blocks until no client is registered or `deadline` passes; true when none is left (shutdown).
  bool WaitUntilEmpty(std::chrono::steady_clock::time_point deadline) const;

  // MONITOR: the clients that receive every command.
  void AddMonitor(uint64_t id);
  void RemoveMonitor(uint64_t id);
  bool HasMonitors() const { return monitor_count_.load(std::memory_order_relaxed) > 0; }
  size_t monitor_count() const { return monitor_count_.load(std::memory_order_relaxed); }
  void FeedMonitors(const std::string& line) const;

 private:
  struct Slot {
    std::shared_ptr<ClientInfo> info;
    std::weak_ptr<ClientHandle> handle;
  };
  mutable std::mutex mu_;
  mutable std::condition_variable empty_cv_;  // signalled when the last client is removed
  absl::flat_hash_map<uint64_t, Slot> clients_;
  std::vector<uint64_t> monitors_;
  std::atomic<size_t> monitor_count_{0};
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace sessionkv::server
