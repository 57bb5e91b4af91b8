// SPDX-License-Identifier: Apache-2.0
// The blocking registry: per-shard queues of waiting clients, the per-thread ready list and the
// serving loop (see blocking.h for the design and its lock order).
#include "server/blocking.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "server/client_registry.h"
#include "server/arg_cursor.h"
#include "server/client_state.h"
#include "server/command_context.h"
#include "server/mutation_scope.h"
#include "server/server_state.h"

namespace sessionkv::server {
namespace {

constexpr std::string_view kUnblockedError = "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n";

// What the thread running commands remembers between a push and the end of the command.
struct ReadyKey {
  Blocking* owner;
  int db;
  std::string key;
};
struct ThreadState {
  int depth = 0;  // nested CommandScopes (EXEC runs its queued commands inside its own)
  std::vector<ReadyKey> ready;
  absl::flat_hash_set<std::pair<int, std::string>> ready_set;  // dedupes `ready`
  // The waiter whose command is being re-run on this thread, and whether it asked to block again.
  const BlockedClient* rerunning = nullptr;
  bool still_blocked = false;
};
thread_local ThreadState tls;

// Locks the given shards (ascending and distinct) in order, and unlocks them on destruction.
class ShardSetLock {
 public:
  ShardSetLock(storage::Keyspace& ks, const std::vector<size_t>& shards)
      : ks_(ks), shards_(shards) {
    for (size_t s : shards_) ks_.shard(s).mutex().lock();
  }
  ~ShardSetLock() {
    for (auto it = shards_.rbegin(); it != shards_.rend(); ++it) ks_.shard(*it).mutex().unlock();
  }
  ShardSetLock(const ShardSetLock&) = delete;
  ShardSetLock& operator=(const ShardSetLock&) = delete;

 private:
  storage::Keyspace& ks_;
  const std::vector<size_t>& shards_;
};

}  // namespace

Blocking::Blocking(ServerState& server)
    : server_(server), keyspace_(server.keyspace), queues_(server.keyspace.num_shards()) {
  keyspace_.set_added_listener([this](int db, const storage::Entry& e) { KeyAdded(db, e); });
}

Blocking::~Blocking() { keyspace_.set_added_listener(nullptr); }

// -------------------------------------------------------------------------------------- blocking

absl::StatusOr<int64_t> Blocking::ParseTimeout(CommandContext& ctx, std::string_view arg) {
  auto error = [](std::string_view text) { return absl::InvalidArgumentError(ToAbsl(text)); };
  long double seconds;
  if (!ParseLongDouble(arg, &seconds)) return error("ERR timeout is not a float or out of range");
  const long double ms = std::ceil(seconds * 1000.0L);
  if (ms > static_cast<long double>(std::numeric_limits<int64_t>::max())) {
    return error("ERR timeout is out of range");
  }
  if (ms < 0) return error("ERR timeout is negative");
  const auto timeout = static_cast<int64_t>(ms);
  // Redis stores the deadline as now + timeout, which must not overflow.
  if (timeout > std::numeric_limits<int64_t>::max() - ctx.server().clock.NowMs()) {
    return error("ERR timeout is out of range");
  }
  return timeout;
}

bool Blocking::MayBlock(CommandContext& ctx) { return !ctx.client().in_exec; }

void Blocking::Block(CommandContext& ctx, std::span<const std::string_view> keys,
                     storage::ValueType type, int64_t timeout_ms) {
  if (tls.rerunning != nullptr) {
    tls.still_blocked = true;  // keep the place in the queues, and the timer running
    return;
  }
  ClientState& client = ctx.client();
  auto w = std::make_shared<BlockedClient>();
  w->client_id = client.info->id;
  w->info = client.info;
  w->db = client.db;
  w->resp = ctx.reply().version();
  w->no_touch = client.no_touch;
  w->spec = &ctx.spec();
  w->args.assign(ctx.args().begin(), ctx.args().end());
  for (std::string_view k : keys) {
    if (std::find(w->keys.begin(), w->keys.end(), k) == w->keys.end()) w->keys.emplace_back(k);
  }
  // The same shards the dispatcher locked for the command, so a re-run locks exactly these.
  for (int pos : ctx.spec().KeyPositions(ctx.args()))
    w->shards.push_back(keyspace_.ShardOfKey(ctx.arg(pos)));
  std::sort(w->shards.begin(), w->shards.end());
  w->shards.erase(std::unique(w->shards.begin(), w->shards.end()), w->shards.end());
  w->type = type;
  w->timeout_ms = timeout_ms;
  protocol::ReplyWriter(&w->timeout_reply, w->resp).NullArray();

  for (const std::string& k : w->keys) {
    Queue& q = queues_[keyspace_.ShardOfKey(k)][WaitKey{w->db, k}];
    if (q.empty()) blocking_keys_.fetch_add(1, std::memory_order_relaxed);
    q.push_back(w);
  }
  w->queued = true;
  blocked_.fetch_add(1, std::memory_order_relaxed);
  if (timeout_ms > 0) with_timeout_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(mu_);
    by_id_[w->client_id] = w;
  }
  client.info->flags.fetch_or(kClientBlocked, std::memory_order_relaxed);
  client.blocked = std::move(w);
}

void Blocking::Unqueue(BlockedClient& w) {
  if (!w.queued) return;
  for (const std::string& k : w.keys) {
    ShardQueues& sq = queues_[keyspace_.ShardOfKey(k)];
    auto it = sq.find(WaitKey{w.db, k});
    if (it == sq.end()) continue;
    Queue& q = it->second;
    q.erase(std::remove_if(q.begin(), q.end(), [&](const auto& p) { return p.get() == &w; }),
            q.end());
    if (q.empty()) {
      sq.erase(it);
      blocking_keys_.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  w.queued = false;
  blocked_.fetch_sub(1, std::memory_order_relaxed);
  if (w.timeout_ms > 0) with_timeout_.fetch_sub(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(mu_);
    auto it = by_id_.find(w.client_id);
    if (it != by_id_.end() && it->second.lock().get() == &w) by_id_.erase(it);
  }
  w.info->flags.fetch_and(~kClientBlocked, std::memory_order_relaxed);
}

void Blocking::Release(BlockedClient& w) {
  ShardSetLock locks(keyspace_, w.shards);
  Unqueue(w);
}

bool Blocking::Expire(BlockedClient& w) {
  if (w.done.exchange(true, std::memory_order_acq_rel)) return false;
  Release(w);
  return true;
}

void Blocking::Abandon(BlockedClient& w) {
  w.done.store(true, std::memory_order_release);
  Release(w);
}

bool Blocking::Unblock(uint64_t id, bool error) {
  std::shared_ptr<BlockedClient> w;
  {
    std::lock_guard lock(mu_);
    auto it = by_id_.find(id);
    if (it != by_id_.end()) w = it->second.lock();
  }
  if (w == nullptr || w->done.exchange(true, std::memory_order_acq_rel)) return false;
  // The client's own thread leaves the queues when the reply arrives (this thread may be inside an
  // EXEC that holds shard locks, so it takes none).
  Deliver(*w, error ? std::string(kUnblockedError) : w->timeout_reply, 0);
  return true;
}

// ---------------------------------------------------------------------------------------- waking

void Blocking::KeyAdded(int db, const storage::Entry& e) {
  if (blocked_.load(std::memory_order_relaxed) == 0) return;  // the common case: nobody waits
  const ShardQueues& sq = queues_[keyspace_.ShardOf(e.hash)];
  if (sq.empty() || !sq.contains(WaitKey{db, e.key})) return;
  MarkReady(db, e.key);
}

void Blocking::DatabasesSwapped(int a, int b, storage::MutationSink& sink) {
  if (blocked_.load(std::memory_order_relaxed) == 0) return;
  for (const ShardQueues& sq : queues_) {
    for (const auto& [wk, queue] : sq) {
      if (wk.db != a && wk.db != b) continue;
      storage::Db view(keyspace_, wk.db, &sink);
      if (view.Find(wk.key) != nullptr) MarkReady(wk.db, wk.key);
    }
  }
}

void Blocking::MarkReady(int db, std::string_view key) {
  if (!tls.ready_set.emplace(db, std::string(key)).second) return;
  tls.ready.push_back({this, db, std::string(key)});
}

Blocking::CommandScope::CommandScope(Blocking& blocking) : blocking_(blocking) { ++tls.depth; }

Blocking::CommandScope::~CommandScope() {
  if (--tls.depth == 0 && !tls.ready.empty()) blocking_.ServeReady();
}

void Blocking::ServeReady() {
  while (!tls.ready.empty()) {
    std::vector<ReadyKey> batch;
    batch.swap(tls.ready);
    tls.ready_set.clear();
    for (const ReadyKey& r : batch) r.owner->ServeKey(r.db, r.key);
  }
}

// Serves the waiters of one key in the order they blocked, while the key holds what they wait for.
void Blocking::ServeKey(int db, const std::string& key) {
  const size_t s = keyspace_.ShardOfKey(key);
  Queue waiters;
  {
    std::lock_guard lock(keyspace_.shard(s).mutex());
    auto it = queues_[s].find(WaitKey{db, key});
    if (it == queues_[s].end()) return;
    waiters = it->second;
  }
  for (const auto& w : waiters) {
    std::string reply;
    uint64_t ticket = 0;
    {
      ShardSetLock locks(keyspace_, w->shards);
      if (!w->queued || w->done.load(std::memory_order_acquire)) continue;
      // The waiter's own ClientState belongs to its I/O thread; its command runs on a copy.
      ClientState state = RerunState(*w);
      MutationScope mutations(server_, state);  // inside the locks, as for any command
      storage::Db view(keyspace_, db, state.sink);
      const storage::Entry* e = view.Find(key);
      if (e == nullptr || e->value().type() != w->type)
        break;  // gone, or another type: all keep waiting
      if (w->done.exchange(true, std::memory_order_acq_rel))
        continue;  // CLIENT UNBLOCK got there first
      if (!Rerun(*w, state, &reply)) {
        // Nothing for it after all (not expected while the key holds a value of its type): it keeps
        // waiting in its place. A CLIENT UNBLOCK in this instant answered 0.
        w->done.store(false, std::memory_order_release);
        continue;
      }
      Unqueue(*w);
      ticket = mutations.Close();  // the reply waits for the pop to be durable
    }
    Deliver(*w, std::move(reply), ticket);
  }
}

ClientState Blocking::RerunState(const BlockedClient& w) {
  ClientState state;
  state.info = w.info;
  state.db = w.db;
  state.resp = w.resp;
  state.authenticated = true;
  state.no_touch = w.no_touch;
  return state;
}

bool Blocking::Rerun(BlockedClient& w, ClientState& state, std::string* reply) {
  protocol::ReplyWriter writer(reply, w.resp);
  const std::vector<std::string_view> args(w.args.begin(), w.args.end());
  tls.rerunning = &w;
  tls.still_blocked = false;
  {
    CommandContext ctx(*w.spec, args, writer, state, server_);
    w.spec->handler(ctx);
  }
  tls.rerunning = nullptr;
  return !tls.still_blocked;
}

void Blocking::Deliver(const BlockedClient& w, std::string reply, uint64_t ticket) {
  // An error answer counts as the command's failure, as the dispatcher counts it for other
  // commands.
  if (!reply.empty() && reply[0] == '-') {
    const size_t end = reply.find_first_of(" \r");
    server_.stats.CountError(std::string_view(reply).substr(1, end - 1));
    server_.stats.total_error_replies.fetch_add(1, std::memory_order_relaxed);
    w.spec->stats.failed_calls.fetch_add(1, std::memory_order_relaxed);
  }
  if (auto handle = server_.clients.Find(w.client_id)) handle->Resume(std::move(reply), ticket);
}

}  // namespace sessionkv::server
