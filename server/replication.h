// SPDX-License-Identifier: Apache-2.0
// The server's side of replication (docs/replication.md): the node's role, its history list, the
// streams it serves to replicas (a primary) and the link it keeps to its primary (a replica).
//
//   primary:  every committed group is published into the batch ring (replication/batch_ring.h); a
//             replica's SKVSYNC gets a ReplicaStream, a thread that sends the ring's batches, or the
//             WAL's when the replica is behind the ring, as frames on the replica's own connection.
//             The replica's REPLCONF ACKs arrive on that connection as commands.
//   replica:  a PrimaryLink thread connects to the primary, sends SKVSYNC with its history and next
//             sequence, writes every batch it receives into its RocksDB verbatim (so the sequence
//             numbers stay equal: its resume point is durable with its data) and into memory, and
//             acknowledges what it applied.
//
// Nothing but the link writes a replica's RocksDB: client writes get -READONLY, the expiry timers
// hide keys instead of deleting them (storage/keyspace.h, replica()).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "replication/batch_ring.h"
#include "replication/frame_codec.h"
#include "replication/history.h"
#include "replication/resume.h"

namespace sessionkv::server {

struct ServerState;
class ClientHandle;
class ClientInfo;
class ReplicaStream;  // server/repl_primary.cc
struct BlockedClient; // server/blocking.h
class PrimaryLink;    // server/repl_replica.cc

// What INFO replication and ROLE show of one connected replica.
struct ReplicaView {
  uint64_t client_id = 0;
  std::string ip;
  int port = 0;
  std::string state;  // "wait_bgsave" while a full sync is sent, "online" while streaming
  uint64_t acked_seq = 0;
  uint64_t synced_seq = 0;
  int64_t lag_s = 0;  // seconds since its last ack
  // The stream's frames (snapshot chunks left out) before compression and as sent.
  uint64_t stream_payload_bytes = 0;
  uint64_t stream_wire_bytes = 0;
};

// What INFO replication shows of the link on a replica.
struct LinkView {
  std::string host;
  int port = 0;
  bool up = false;
  bool sync_in_progress = false;
  int64_t last_io_s = -1;  // seconds since the primary last sent anything
  int64_t down_since_s = -1;
  uint64_t primary_last_seq = 0;
  // How the current (or last) connection runs: TLS, the compression asked for, the stream's bytes.
  bool tls = false;
  replication::Compression compression = replication::Compression::kNone;
  uint64_t stream_payload_bytes = 0;
  uint64_t stream_wire_bytes = 0;
};

class Replication {
 public:
  explicit Replication(ServerState& server);
  ~Replication();

  // After persistence opened, before the load: reads (or creates) dir/repl-state, and as a primary
  // starts a new history at the recovered sequence; installs the commit listener. Memory-only
  // servers (appendonly no) cannot replicate; Start leaves them alone.
  absl::Status Start();
  // After the load: follows `replicaof` from the config, if set.
  void StartLink();
  // Shutdown: stops the streams and the link.
  void Stop();

  bool enabled() const { return ring_ != nullptr; }
  // /readyz on a replica (server/health.h): why it should get no clients, or "". Not ready while a
  // full sync is in progress (the data is the old one, or none), or while the link to the primary
  // has been down longer than repl-timeout (its data may be that old). A primary is always ready
  // here.
  std::string NotReadyReason() const;
  // The keyspace's flag is the one record of the role: reads, expiry and the dispatcher look at it too.
  bool is_replica() const;

  // REPLICAOF host port: becomes (or re-targets) a replica. REPLICAOF NO ONE: promotion. Errors carry
  // no Redis error code (the commands add it).
  absl::Status Follow(const std::string& host, int port);
  absl::Status Promote();

  // SKVSYNC from a connection (the primary's side): decides how the stream goes on and starts it.
  // Returns why, when the request cannot be served.
  // `compression` is what the replica announced with REPLCONF capa (kNone if nothing).
  absl::Status Attach(std::shared_ptr<ClientHandle> handle, std::shared_ptr<ClientInfo> info,
                      const replication::ResumeRequest& request, int listening_port,
                      replication::Compression compression);
  // REPLCONF ACK <applied> <synced> from replica connection `client_id`.
  void OnAck(uint64_t client_id, uint64_t applied, uint64_t synced);
  // A connection closed: its stream, if any, stops.
  void Detach(uint64_t client_id);

  // WAIT: how many replicas acknowledged sequence `seq`.
  size_t CountAcked(uint64_t seq) const;
  // WAITAOF: how many replicas reported (FACK) sequence `seq` as fsynced.
  size_t CountSynced(uint64_t seq) const;
  // WAITAOF's local count: 1 once commit-log `ticket` (the caller's last write) is fsynced here:
  // under appendfsync always with its write, under everysec at the next once-a-second sync, under
  // no never (nothing fsyncs the WAL on purpose), as Redis's fsynced_reploff; 0 without
  // persistence.
  int LocalSynced(uint64_t ticket) const;
  // min-replicas-to-write (Redis's checkGoodReplicasStatus): false on a primary with fewer
  // streaming replicas that acked within min-replicas-max-lag seconds than min-replicas-to-write;
  // true when either setting is 0 and on a replica. Reads the streams only while the check is on.
  bool EnoughGoodReplicas() const;
  // INFO's min_slaves_good_slaves: the streaming replicas whose last ack is at most `max_lag_s`
  // old.
  size_t CountGoodReplicas(int64_t max_lag_s) const;

  // What a client blocked in WAIT or WAITAOF (Blocking::Block without keys) waits for: `replicas`
  // replicas that acked (WAIT) or fsynced (WAITAOF) sequence `seq`, and for WAITAOF `local` (0 or
  // 1) fsyncs here of commit-log `ticket`; or `deadline_ms` (steady clock; 0 = never). It is
  // answered with the counts reached: `:n` for WAIT, `[local, replicas]` for WAITAOF.
  struct WaitRequest {
    bool aof = false;
    uint64_t seq = 0;
    size_t replicas = 0;
    uint64_t ticket = 0;
    int local = 0;
    int64_t deadline_ms = 0;
  };
  void AddWaiter(std::shared_ptr<BlockedClient> blocked, std::shared_ptr<ClientHandle> handle,
                 const WaitRequest& request);
  // The reply `request` has earned now; `*done` when its targets are met.
  std::string WaitReply(const WaitRequest& request, bool* done) const;

  // For INFO replication, ROLE and the metrics.
  std::vector<ReplicaView> Replicas() const;
  LinkView Link() const;
  // The replication offset: the last committed sequence; on a replica the last one memory has too
  // (RocksDB takes a batch a moment before memory does, and a client that saw the offset must read it).
  uint64_t last_seq() const;
  // The replica's link, after memory took everything up to `seq`.
  void NoteAppliedToMemory(uint64_t seq) { memory_seq_.store(seq, std::memory_order_release); }
  std::string history_id() const;
  uint64_t sync_full() const { return sync_full_.load(std::memory_order_relaxed); }
  uint64_t sync_partial_ok() const { return sync_partial_ok_.load(std::memory_order_relaxed); }
  uint64_t sync_partial_err() const { return sync_partial_err_.load(std::memory_order_relaxed); }
  replication::BatchRing* ring() { return ring_.get(); }
  ServerState& server() { return server_; }

  // The replica's link adopts its primary's history list (saved in repl-state).
  absl::Status AdoptHistory(const replication::HistoryList& history);
  const std::string& node_id() const { return state_.node_id; }

 private:
  // How many streams satisfy `pred`, under the streams' lock.
  size_t CountStreams(const std::function<bool(const ReplicaStream&)>& pred) const;
  absl::Status SaveState();
  void StartLinkTo(const std::string& host, int port);
  void StopLink();
  void StopStreams();
  // Answers the WAIT clients that are satisfied or past their deadline; drops those already answered.
  void ServeWaiters();
  // Becoming a replica ends every WAIT and WAITAOF with Redis's -UNBLOCKED error (its
  // disconnectAllBlockedClients): their writes can no longer be acknowledged.
  void FailWaiters();
  void WaiterLoop();

  struct Waiter {
    std::shared_ptr<BlockedClient> blocked;
    std::shared_ptr<ClientHandle> handle;
    WaitRequest request;
  };

  ServerState& server_;
  std::string state_path_;
  std::unique_ptr<replication::BatchRing> ring_;
  std::atomic<bool> ring_active_{false};  // since the first replica attached

  mutable std::mutex mu_;  // guards state_, streams_, link_
  replication::ReplState state_;
  std::vector<std::shared_ptr<ReplicaStream>> streams_;
  std::unique_ptr<PrimaryLink> link_;
  std::atomic<uint64_t> sync_full_{0}, sync_partial_ok_{0}, sync_partial_err_{0};
  std::atomic<uint64_t> memory_seq_{0};  // a replica's, set by its link

  // WAIT: the waiters, and a thread that looks at them every 10 ms while there are any (deadlines).
  std::mutex waiters_mu_;
  std::condition_variable waiters_cv_;
  std::vector<Waiter> waiters_;
  std::thread waiter_thread_;
  bool stopping_ = false;  // guarded by waiters_mu_
};

}  // namespace sessionkv::server
