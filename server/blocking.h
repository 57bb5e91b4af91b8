// SPDX-License-Identifier: Apache-2.0
// Clients blocked by BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP until a key gets data, with Redis
// 7's semantics on a multi-threaded server.
//
// How a client blocks. The command's handler runs with the shards of all its keys locked (the
// dispatcher takes them). Finding no data, it calls Block(): the client is appended to the queue of
// every key it waits on, in the registry of that key's shard (guarded by the shard's mutex), and
// its ClientState::blocked is set. Because the check and the registration happen under the same
// locks as every push, no push can slip between them. The connection then stops executing the
// client's pipeline (later commands wait behind the blocked one), arms a timer for the timeout, and
// goes on reading so that a disconnect is noticed.
//
// How a client is woken, without polling. A list is never empty in the keyspace, so a key someone
// waits on gains data only when a value is stored under it (Db::Add or Db::Overwrite; SWAPDB brings
// whole databases). The keyspace calls KeyAdded() with the shard locked; if someone waits on that
// key, the key goes on a ready list private to the thread running the command. When the outermost
// command (a whole EXEC included) has finished and released its locks, its CommandScope serves the
// ready keys on the same thread: for each waiter of a key, first come first served, it locks the
// waiter's shards (ascending, as the dispatcher), checks that the key still holds a value of the
// waiter's type, and re-runs the waiter's command on its behalf (Redis 7.2 re-executes blocked
// commands the same way), so the pusher's reply counts what it pushed and the served client gets
// exactly what it would have got had the data been there. The reply travels to the waiter's own I/O
// thread (ClientHandle::Resume), which writes it and resumes the pipeline. A served BLMOVE pushes
// to its destination and so may make another key ready; the loop serves that one too. Serving stops
// at the first waiter the key cannot serve (it was deleted or overwritten with another type); the
// waiters keep their places and keep waiting.
//
// Who answers. A wait ends exactly once, by whoever first sets BlockedClient::done: the serving
// re-run (under the waiter's shard locks), the timeout (on the waiter's thread), CLIENT UNBLOCK
// (any thread, possibly inside an EXEC that holds shard locks, so it takes none: the waiter's own
// thread leaves the queues when the reply arrives) or the disconnect. The losers do nothing.
//
// Lock order: shard mutexes in ascending order, then at most the registry's own mutex (by_id_),
// which is never held while taking a shard lock. No thread ever holds a shard lock while waiting
// for another thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "protocol/reply_writer.h"
#include "storage/keyspace.h"
#include "storage/value_type.h"

namespace sessionkv::server {

class ClientInfo;
class CommandContext;
struct ClientState;
struct CommandSpec;
struct ServerState;

// One client's wait. Shared by its connection (ClientState::blocked), the queues of its keys and
// CLIENT UNBLOCK; everything but the two flags is fixed when it is created.
struct BlockedClient {
  uint64_t client_id = 0;
  std::shared_ptr<ClientInfo> info;
  int db = 0;
  protocol::RespVersion resp = protocol::RespVersion::kResp2;
  bool no_touch = false;
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;  // the blocked command, owned (the input buffer moves on)
  std::vector<std::string> keys;  // the distinct keys it waits on
  std::vector<size_t> shards;     // the command's key shards, ascending and distinct
  storage::ValueType type = storage::ValueType::kList;  // what a key must hold to serve it
  int64_t timeout_ms = 0;                               // 0 = wait forever
  std::string timeout_reply;  // the reply to a timeout (RESP2 *-1, RESP3 _)

  // Set by whoever ends the wait (see the file comment).
  std::atomic<bool> done{false};
  // True while the client is in its keys' queues; guarded by the locks of every shard in `shards`.
  bool queued = false;
};

class Blocking {
 public:
  explicit Blocking(ServerState& server);
  ~Blocking();
  Blocking(const Blocking&) = delete;
  Blocking& operator=(const Blocking&) = delete;

  // ---------------------------------------------------------------- command handlers (keys locked)

  // A blocking timeout in seconds (Redis's getTimeoutFromObjectOrReply): a long double, rounded up to
  // whole milliseconds; 0 blocks forever. Milliseconds from now, or the error reply.
  static absl::StatusOr<int64_t> ParseTimeout(CommandContext& ctx, std::string_view arg);
  // False when the client must not block (inside EXEC): the command then answers as on a timeout.
  static bool MayBlock(CommandContext& ctx);
  // Blocks the client on `keys` (some of the command's keys) until one holds a value of `type`, or
  // for `timeout_ms` (0 = forever). The handler writes no reply. In a re-run that serves a waiting
  // client and still finds nothing, the client keeps its place in the queues and its timeout.
  void Block(CommandContext& ctx, std::span<const std::string_view> keys, storage::ValueType type,
             int64_t timeout_ms);
  // SWAPDB a b (every shard locked): the keys waited on in either database may have data now. A
  // lookup that finds a key expired records its delete into `sink`.
  void DatabasesSwapped(int a, int b, storage::MutationSink& sink);

  // ------------------------------------------------------------------------------- the dispatcher

  // Put around a top-level command. When the outermost scope on this thread ends (the command's
  // locks released), the clients waiting on keys the command made ready are served.
  class CommandScope {
   public:
    explicit CommandScope(Blocking& blocking);
    ~CommandScope();
    CommandScope(const CommandScope&) = delete;
    CommandScope& operator=(const CommandScope&) = delete;

   private:
    Blocking& blocking_;
  };

  // ---------------------------------------------------------- the blocked client's own I/O thread

  // The client's timeout fired: true if it ends the wait (the caller then sends timeout_reply).
  bool Expire(BlockedClient& w);
  // The client disconnected: ends the wait if nobody has yet, and leaves the queues.
  void Abandon(BlockedClient& w);
  // Leaves the key queues (after the wait ended). Idempotent; takes the client's shard locks.
  void Release(BlockedClient& w);

  // --------------------------------------------------------------------------------- any thread

  // CLIENT UNBLOCK: ends the wait of client `id` with its timeout reply, or with the UNBLOCKED
  // error when `error`. False if the client is not blocked. Takes no shard lock.
  bool Unblock(uint64_t id, bool error);

  // INFO clients.
  size_t blocked_clients() const { return blocked_.load(std::memory_order_relaxed); }
  size_t clients_with_timeout() const { return with_timeout_.load(std::memory_order_relaxed); }
  size_t blocking_keys() const { return blocking_keys_.load(std::memory_order_relaxed); }

 private:
  struct WaitKey {
    int db;
    std::string key;
    bool operator==(const WaitKey&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const WaitKey& k) {
      return H::combine(std::move(h), k.db, k.key);
    }
  };
  using Queue = std::vector<std::shared_ptr<BlockedClient>>;  // in blocking order
  using ShardQueues = absl::flat_hash_map<WaitKey, Queue>;    // guarded by the shard's mutex

  // A key of database `db` got a value (the keyspace's added listener; its shard is locked).
  void KeyAdded(int db, const storage::Entry& e);
  void MarkReady(int db, std::string_view key);
  // Serves the keys this thread made ready, until none is left. No locks held.
  void ServeReady();
  void ServeKey(int db, const std::string& key);
  // The state w's command runs with when it is re-run: a copy of what it reads of its client.
  static ClientState RerunState(const BlockedClient& w);
  // Re-runs w's command on its behalf (w's shards locked, `state` from RerunState inside a
  // MutationScope); false if it would still block.
  bool Rerun(BlockedClient& w, ClientState& state, std::string* reply);
  // Takes w out of every queue; w's shards are locked.
  void Unqueue(BlockedClient& w);
  // Sends the reply that ends w's wait to its connection, which sends it once `ticket` is durable.
  void Deliver(const BlockedClient& w, std::string reply, uint64_t ticket);

  ServerState& server_;
  storage::Keyspace& keyspace_;
  std::vector<ShardQueues> queues_;  // one per keyspace shard

  mutable std::mutex mu_;  // a leaf lock: guards by_id_ only
  absl::flat_hash_map<uint64_t, std::weak_ptr<BlockedClient>> by_id_;

  std::atomic<size_t> blocked_{0};
  std::atomic<size_t> with_timeout_{0};
  std::atomic<size_t> blocking_keys_{0};
};

}  // namespace sessionkv::server
