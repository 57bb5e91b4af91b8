// SPDX-License-Identifier: Apache-2.0
#include "server/replication.h"

#include <algorithm>
#include <chrono>

#include "base/steady_clock.h"
#include "base/strings.h"
#include "replication/wal_reader.h"
#include "server/blocking.h"
#include "server/client_registry.h"
#include "server/config.h"
#include "server/log.h"
#include "server/repl_primary.h"
#include "server/repl_replica.h"
#include "server/server_state.h"
#include "storage/rocks_engine.h"

namespace sessionkv::server {

namespace {

constexpr char kNeedsPersistence[] = "replication needs persistence (appendonly yes)";

// The hot tail kept for caught-up replicas (replication.md 4.4); a replica behind it reads the WAL.
constexpr size_t kRingBytes = 64u << 20;

replication::pb::Welcome::Kind WelcomeKind(replication::ResumeKind kind) {
  switch (kind) {
    case replication::ResumeKind::kContinue: return replication::pb::Welcome::CONTINUE;
    case replication::ResumeKind::kFull: return replication::pb::Welcome::FULL;
    case replication::ResumeKind::kDiverged: return replication::pb::Welcome::DIVERGED;
    case replication::ResumeKind::kRefuse: return replication::pb::Welcome::REFUSE;
  }
  return replication::pb::Welcome::FULL;
}

}  // namespace

Replication::Replication(ServerState& server) : server_(server) {}

Replication::~Replication() { Stop(); }

absl::Status Replication::Start() {
  storage::RocksEngine* rocks = server_.persistence.rocks;
  if (rocks == nullptr) return absl::OkStatus();
  state_path_ = StrCat(server_.config.dir(), "/repl-state");
  std::mt19937_64 rng = replication::SeededRng();
  absl::StatusOr<replication::ReplState> loaded = replication::LoadReplState(state_path_);
  if (loaded.ok()) {
    state_ = std::move(*loaded);
  } else if (absl::IsNotFound(loaded.status())) {
    state_.node_id = replication::MintHistoryId(rng);
  } else {
    return loaded.status();
  }
  const bool replica = !server_.config.replicaof().empty();
  const uint64_t last = rocks->last_sequence();
  // Every primary start is a new history (replication.md 4.2): an everysec crash may have lost the
  // last second, and the same sequences then hold other data than a replica may have.
  if (!replica) state_.history.MintOnStart(last, rng);
  if (absl::Status s = SaveState(); !s.ok()) return s;
  ring_ = std::make_unique<replication::BatchRing>(kRingBytes, last + 1);
  rocks->set_commit_listener([this](uint64_t first, uint64_t count, const std::string& rep) {
    if (!ring_active_.load(std::memory_order_acquire)) return;
    if (!ring_->Publish(first, count, rep, server_.clock.NowMs()).ok()) ring_->Reset(first + count);
  });
  server_.keyspace.set_replica(replica);
  server_.health.AddReadinessCheck([this] { return NotReadyReason(); });
  return absl::OkStatus();
}

std::string Replication::NotReadyReason() const {
  if (!is_replica()) return "";
  const LinkView link = Link();
  if (link.sync_in_progress)
    return StrCat("replica: full sync from ", link.host, ":", link.port, " in progress");
  const int64_t timeout_s = server_.config.repl_timeout();
  if (!link.up && link.down_since_s > timeout_s) {
    return StrCat("replica: link to ", link.host, ":", link.port, " down for ", link.down_since_s,
                  " s (repl-timeout ", timeout_s, ")");
  }
  return "";
}

bool Replication::is_replica() const { return server_.keyspace.replica(); }

void Replication::StartLink() {
  const std::vector<std::string> target = server_.config.replicaof();
  if (!enabled() || target.size() != 2) return;
  int port = 0;
  if (!absl::SimpleAtoi(target[1], &port)) {
    Log(LogLevel::kWarning, StrCat("replicaof: invalid port '", target[1], "'"));
    return;
  }
  StartLinkTo(target[0], port);
}

void Replication::StartLinkTo(const std::string& host, int port) {
  std::lock_guard lock(mu_);
  NoteAppliedToMemory(server_.persistence.rocks->last_sequence());  // before the role reads it
  link_ = std::make_unique<PrimaryLink>(*this, host, port);
  link_->Start();
}

void Replication::Stop() {
  StopLink();
  {
    std::lock_guard lock(waiters_mu_);
    stopping_ = true;
  }
  waiters_cv_.notify_all();
  if (waiter_thread_.joinable()) waiter_thread_.join();
  StopStreams();
  if (server_.persistence.rocks != nullptr) server_.persistence.rocks->set_commit_listener(nullptr);
}

void Replication::StopLink() {
  std::unique_ptr<PrimaryLink> link;
  {
    std::lock_guard lock(mu_);
    link.swap(link_);
  }
  if (link) link->Stop();
}

void Replication::StopStreams() {
  std::vector<std::shared_ptr<ReplicaStream>> streams;
  {
    std::lock_guard lock(mu_);
    streams.swap(streams_);
  }
  for (auto& s : streams) s->Stop();
}

absl::Status Replication::SaveState() { return replication::SaveReplState(state_path_, state_); }

absl::Status Replication::AdoptHistory(const replication::HistoryList& history) {
  std::lock_guard lock(mu_);
  state_.history = history;
  return SaveState();
}

absl::Status Replication::Follow(const std::string& host, int port) {
  if (!enabled()) return absl::FailedPreconditionError(kNeedsPersistence);
  StopLink();
  if (!is_replica()) {
    // Client writes stop first; what they appended is written; then the memtable becomes one the
    // link can read back (storage/replica_apply.h).
    server_.keyspace.set_replica(true);
    storage::RocksEngine* rocks = server_.persistence.rocks;
    rocks->Commit(rocks->log().last_ticket());
    if (absl::Status s = rocks->Reopen(/*readable_memtable=*/true); !s.ok()) return s;
    ring_->Reset(rocks->last_sequence() + 1);
    ring_active_.store(false, std::memory_order_release);
    StopStreams();  // as Redis disconnects its replicas when it becomes one
    FailWaiters();
  }
  StartLinkTo(host, port);
  Log(LogLevel::kNotice, StrCat("Connecting to MASTER ", host, ":", port));
  return absl::OkStatus();
}

absl::Status Replication::Promote() {
  if (!is_replica()) return absl::OkStatus();
  StopLink();
  std::mt19937_64 rng = replication::SeededRng();
  {
    std::lock_guard lock(mu_);
    // A new history and a higher epoch: the old primary's other replicas continue from the closed one.
    state_.history.MintOnPromotion(server_.persistence.rocks->last_sequence(), rng);
    if (absl::Status s = SaveState(); !s.ok()) return s;
  }
  server_.keyspace.set_replica(false);
  Log(LogLevel::kNotice, StrCat("MASTER MODE enabled; new history ", history_id()));
  return absl::OkStatus();
}

absl::Status Replication::Attach(std::shared_ptr<ClientHandle> handle, std::shared_ptr<ClientInfo> info,
                                 const replication::ResumeRequest& request, int listening_port,
                                 replication::Compression compression) {
  if (!enabled()) return absl::FailedPreconditionError(kNeedsPersistence);
  if (is_replica()) return absl::FailedPreconditionError("this node is a replica; connect to its primary");
  storage::RocksEngine* rocks = server_.persistence.rocks;
  std::lock_guard lock(mu_);
  replication::PrimaryView view;
  view.history = &state_.history;
  view.last_seq = rocks->last_sequence();
  view.oldest_retained_seq = replication::OldestRetainedSeq(rocks->db());
  view.keys = server_.keyspace.ApproxKeys();
  view.retained_bytes = replication::RetainedWalBytes(rocks->db());
  view.retention_limit_mb = static_cast<uint64_t>(server_.config.repl_log_retention_mb());
  view.retention_limit_s = static_cast<uint64_t>(server_.config.repl_log_retention_seconds());
  const replication::ResumeDecision decision = replication::DecideResume(request, view);
  if (decision.kind == replication::ResumeKind::kRefuse) {
    Log(LogLevel::kWarning, StrCat("Replica ", info->addr, " refused: ", decision.reason));
    return absl::FailedPreconditionError(decision.reason);
  }
  if (decision.partial_ok()) {
    sync_partial_ok_.fetch_add(1, std::memory_order_relaxed);
  } else {
    if (!request.history_id.empty()) sync_partial_err_.fetch_add(1, std::memory_order_relaxed);
    sync_full_.fetch_add(1, std::memory_order_relaxed);
  }
  replication::pb::Welcome welcome;
  // A diverged replica takes a full sync too; saving its divergent tail for audit is not built yet.
  welcome.set_kind(decision.kind == replication::ResumeKind::kDiverged ? replication::pb::Welcome::FULL
                                                                        : WelcomeKind(decision.kind));
  for (const replication::HistoryEntry& e : state_.history.entries()) {
    replication::pb::HistoryEntry* out = welcome.add_history();
    out->set_id(e.id);
    out->set_epoch(e.epoch);
    out->set_first_seq(e.first_seq);
    out->set_open(e.open());
    if (!e.open()) out->set_last_seq(e.last_seq);
  }
  welcome.set_epoch(state_.history.epoch());
  welcome.set_reason(decision.reason);
  welcome.set_start_seq(decision.start_seq);
  welcome.set_primary_last_seq(view.last_seq);
  welcome.set_primary_keys(view.keys);
  Log(LogLevel::kNotice, StrCat("Replica ", info->addr, " asks for sequence ", request.next_seq, ": ",
                                replication::ResumeKindName(decision.kind), " (", decision.reason, ")"));
  // The ring fills from the first replica on, as Redis creates its backlog then: a server that never
  // had one keeps no copy of its writes in memory (used_memory, maxmemory).
  if (!ring_active_.exchange(true, std::memory_order_acq_rel)) ring_->Reset(rocks->last_sequence() + 1);
  info->flags.fetch_or(kClientReplica, std::memory_order_relaxed);
  auto stream = std::make_shared<ReplicaStream>(*this, std::move(handle), std::move(info), std::move(welcome),
                                                listening_port, compression);
  streams_.push_back(stream);
  stream->Start();
  return absl::OkStatus();
}

void Replication::OnAck(uint64_t client_id, uint64_t applied, uint64_t synced) {
  {
    std::lock_guard lock(mu_);
    for (auto& s : streams_) {
      if (s->client_id() == client_id) s->OnAck(applied, synced);
    }
  }
  ServeWaiters();
}

size_t Replication::CountStreams(const std::function<bool(const ReplicaStream&)>& pred) const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(
      std::count_if(streams_.begin(), streams_.end(), [&](const auto& s) { return pred(*s); }));
}

size_t Replication::CountAcked(uint64_t seq) const {
  return CountStreams([seq](const ReplicaStream& s) { return s.acked() >= seq; });
}

size_t Replication::CountSynced(uint64_t seq) const {
  return CountStreams([seq](const ReplicaStream& s) { return s.synced() >= seq; });
}

size_t Replication::CountGoodReplicas(int64_t max_lag_s) const {
  const int64_t now = SteadyMillis();
  return CountStreams([&](const ReplicaStream& s) { return s.Good(now, max_lag_s); });
}

bool Replication::EnoughGoodReplicas() const {
  const int64_t needed = server_.config.min_replicas_to_write();
  const int64_t max_lag = server_.config.min_replicas_max_lag();
  if (needed == 0 || max_lag == 0 || is_replica()) return true;
  return CountGoodReplicas(max_lag) >= static_cast<size_t>(needed);
}

int Replication::LocalSynced(uint64_t ticket) const {
  storage::RocksEngine* rocks = server_.persistence.rocks;
  return rocks != nullptr && rocks->log().synced() >= ticket ? 1 : 0;
}

std::string Replication::WaitReply(const WaitRequest& request, bool* done) const {
  if (!request.aof) {
    const size_t acked = CountAcked(request.seq);
    *done = acked >= request.replicas;
    return StrCat(":", acked, "\r\n");
  }
  const size_t synced = CountSynced(request.seq);
  const int local = LocalSynced(request.ticket);
  *done = synced >= request.replicas && local >= request.local;
  return StrCat("*2\r\n:", local, "\r\n:", synced, "\r\n");
}

void Replication::AddWaiter(std::shared_ptr<BlockedClient> blocked,
                            std::shared_ptr<ClientHandle> handle, const WaitRequest& request) {
  {
    std::lock_guard lock(waiters_mu_);
    if (stopping_) return;
    waiters_.push_back({std::move(blocked), std::move(handle), request});
    if (!waiter_thread_.joinable()) waiter_thread_ = std::thread([this] { WaiterLoop(); });
  }
  waiters_cv_.notify_all();
}

void Replication::ServeWaiters() {
  std::vector<std::pair<Waiter, std::string>> due;  // each with its reply
  {
    std::lock_guard lock(waiters_mu_);
    if (waiters_.empty()) return;
    const int64_t now = SteadyMillis();
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      // Someone else ended the wait (a disconnect, CLIENT UNBLOCK): nothing to answer.
      if (it->blocked->done.load(std::memory_order_acquire)) {
        it = waiters_.erase(it);
        continue;
      }
      bool done = false;
      std::string reply = WaitReply(it->request, &done);
      if (done || (it->request.deadline_ms != 0 && now >= it->request.deadline_ms)) {
        due.emplace_back(std::move(*it), std::move(reply));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& [w, reply] : due) {
    if (w.blocked->done.exchange(true, std::memory_order_acq_rel)) continue;
    w.handle->Resume(std::move(reply), 0);
  }
}

void Replication::FailWaiters() {
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(waiters_mu_);
    waiters.swap(waiters_);
  }
  for (Waiter& w : waiters) {
    if (w.blocked->done.exchange(true, std::memory_order_acq_rel)) continue;
    w.handle->Resume(
        "-UNBLOCKED force unblock from blocking operation, instance state changed (master -> "
        "replica?)\r\n",
        0);
  }
}

void Replication::WaiterLoop() {
  std::unique_lock lock(waiters_mu_);
  while (!stopping_) {
    if (waiters_.empty()) waiters_cv_.wait(lock, [this] { return stopping_ || !waiters_.empty(); });
    waiters_cv_.wait_for(lock, std::chrono::milliseconds(10));
    if (stopping_) break;
    lock.unlock();
    ServeWaiters();
    lock.lock();
  }
}

void Replication::Detach(uint64_t client_id) {
  std::shared_ptr<ReplicaStream> gone;
  {
    std::lock_guard lock(mu_);
    for (auto it = streams_.begin(); it != streams_.end(); ++it) {
      if ((*it)->client_id() == client_id) {
        gone = *it;
        streams_.erase(it);
        break;
      }
    }
  }
  if (!gone) return;
  // Stopping joins the stream's thread, which may be waiting for this very I/O thread to write: it
  // only waits in short slices and checks the stop flag, so the join is brief.
  gone->Stop();
  Log(LogLevel::kNotice, StrCat("Connection with replica client id #", client_id, " lost."));
}

std::vector<ReplicaView> Replication::Replicas() const {
  std::lock_guard lock(mu_);
  std::vector<ReplicaView> out;
  const int64_t now = SteadyMillis();
  for (const auto& s : streams_) out.push_back(s->View(now));
  return out;
}

LinkView Replication::Link() const {
  std::lock_guard lock(mu_);
  return link_ ? link_->View() : LinkView{};
}

uint64_t Replication::last_seq() const {
  if (server_.persistence.rocks == nullptr) return 0;
  const uint64_t committed = server_.persistence.rocks->last_sequence();
  return is_replica() ? std::min(committed, memory_seq_.load(std::memory_order_acquire)) : committed;
}

std::string Replication::history_id() const {
  std::lock_guard lock(mu_);
  return state_.history.empty() ? std::string(40, '0') : state_.history.current().id;
}

}  // namespace sessionkv::server
