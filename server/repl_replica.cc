// SPDX-License-Identifier: Apache-2.0
#include "server/repl_replica.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "base/steady_clock.h"
#include "base/strings.h"
#include "protocol/resp_value.h"
#include "replication/snapshot.h"
#include "rocksdb/write_batch.h"
#include "server/config.h"
#include "server/log.h"
#include "server/notify.h"
#include "server/persistence.h"
#include "server/server_state.h"
#include "server/tls.h"
#include "storage/replica_apply.h"
#include "storage/rocks_engine.h"

namespace sessionkv::server {

namespace {

// One command as RESP (the handshake and the acks).
std::string Resp(const std::vector<std::string>& args) {
  return protocol::EncodeCommand(std::vector<std::string_view>(args.begin(), args.end()));
}

// The primary's expiry deletes carry an annotation: the DR site's subscribers (Spring Session's
// indexed repository) get `expired`, as on the primary, not a plain delete. Published with the key's
// shard locked, as every keyspace event is.
void NotifyExpired(ServerState& server, const storage::ReplicaApplyResult& result) {
  for (const storage::AppliedKey& k : result.keys) {
    if (!k.expired) continue;
    std::lock_guard lock(server.keyspace.shard(server.keyspace.ShardOfKey(k.key)).mutex());
    NotifyKeyspaceEvent(server, kNotifyExpired, "expired", k.key, k.db);
  }
}

constexpr int64_t kAckEveryMs = 100;
constexpr int64_t kIdleAckEveryMs = 1000;

}  // namespace

PrimaryLink::PrimaryLink(Replication& replication, std::string host, int port)
    : repl_(replication), host_(std::move(host)), port_(port) {
  down_since_ms_ = SteadyMillis();
}

PrimaryLink::~PrimaryLink() { Stop(); }

void PrimaryLink::Start() {
  thread_ = std::thread([this] { Run(); });
}

void PrimaryLink::Stop() {
  stop_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
}

LinkView PrimaryLink::View() const {
  LinkView v;
  v.host = host_;
  v.port = port_;
  v.up = up_.load(std::memory_order_relaxed);
  v.sync_in_progress = syncing_.load(std::memory_order_relaxed);
  const int64_t now = SteadyMillis();
  if (v.up) v.last_io_s = (now - last_io_ms_.load(std::memory_order_relaxed)) / 1000;
  if (!v.up) v.down_since_s = (now - down_since_ms_.load(std::memory_order_relaxed)) / 1000;
  v.primary_last_seq = primary_last_seq_.load(std::memory_order_relaxed);
  v.tls = tls_.load(std::memory_order_relaxed);
  v.compression = compression_.load(std::memory_order_relaxed);
  v.stream_payload_bytes = stream_payload_bytes_.load(std::memory_order_relaxed);
  v.stream_wire_bytes = stream_wire_bytes_.load(std::memory_order_relaxed);
  return v;
}

void PrimaryLink::Run() {
  int64_t backoff_ms = 1000;
  while (!stop_.load(std::memory_order_acquire)) {
    const absl::Status s = Session();
    CloseSocket();
    if (up_.exchange(false)) down_since_ms_ = SteadyMillis();
    syncing_ = false;
    if (stop_.load(std::memory_order_acquire)) break;
    Log(LogLevel::kWarning, StrCat("Replication link to ", host_, ":", port_, " down: ", s.message(),
                                   "; retrying in ", backoff_ms / 1000, " s"));
    for (int64_t waited = 0; waited < backoff_ms && !stop_.load(std::memory_order_acquire); waited += 100) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    backoff_ms = std::min<int64_t>(backoff_ms * 2, 30000);
  }
}

void PrimaryLink::CloseSocket() {
  socket_.Close();
  line_buf_.clear();
}

absl::Status PrimaryLink::Connect() {
  const Config& config = repl_.server().config;
  const int64_t timeout_ms = config.repl_timeout() * 1000;
  const int64_t deadline = SteadyMillis() + timeout_ms;
  if (absl::Status s = socket_.Connect(host_, port_, static_cast<unsigned>(timeout_ms), deadline); !s.ok()) {
    return s;
  }
  tls_ = config.tls_replication();
  if (!tls_) return absl::OkStatus();
  // Built at every connection, so a renewed certificate or CA on disk is used at the next reconnect.
  absl::StatusOr<std::shared_ptr<TlsContext>> context = MakeTlsClientContext(TlsSettings::FromConfig(config));
  if (!context.ok()) return absl::FailedPreconditionError(StrCat("tls-replication: ", context.status().message()));
  return socket_.StartTls(std::move(*context), host_, deadline);
}

absl::Status PrimaryLink::SendAll(const std::string& bytes) {
  return socket_.SendAll(bytes, SteadyMillis() + repl_.server().config.repl_timeout() * 1000);
}

absl::Status PrimaryLink::Command(const std::vector<std::string>& args, std::string* reply) {
  if (absl::Status s = SendAll(Resp(args)); !s.ok()) return s;
  const int64_t deadline = SteadyMillis() + repl_.server().config.repl_timeout() * 1000;
  while (true) {
    const size_t eol = line_buf_.find("\r\n");
    if (eol != std::string::npos) {
      *reply = line_buf_.substr(0, eol);
      line_buf_.erase(0, eol + 2);
      return absl::OkStatus();
    }
    if (SteadyMillis() > deadline || stop_.load(std::memory_order_acquire)) {
      return absl::DeadlineExceededError("no reply from the primary");
    }
    char buf[4096];
    absl::StatusOr<size_t> n = socket_.Receive(buf, sizeof(buf), 100);
    if (!n.ok()) return n.status();
    line_buf_.append(buf, *n);
  }
}

absl::Status PrimaryLink::Handshake() {
  const Config& config = repl_.server().config;
  std::string reply;
  if (!config.masterauth().empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!config.masteruser().empty()) auth.push_back(config.masteruser());
    auth.push_back(config.masterauth());
    if (absl::Status s = Command(auth, &reply); !s.ok()) return s;
    if (!reply.starts_with("+")) return absl::PermissionDeniedError(StrCat("AUTH: ", reply.substr(1)));
  }
  if (absl::Status s = Command({"REPLCONF", "listening-port", std::to_string(config.port())}, &reply); !s.ok()) {
    return s;
  }
  if (!reply.starts_with("+")) return absl::FailedPreconditionError(StrCat("REPLCONF: ", reply.substr(1)));
  // A primary compresses only for replicas that ask; one that predates the capability compresses
  // anyway, and the reader follows each frame's flags either way.
  compression_ = static_cast<replication::Compression>(config.repl_compression());
  if (compression_ == replication::Compression::kZstd) {
    if (absl::Status s = Command({"REPLCONF", "capa", "zstd"}, &reply); !s.ok()) return s;
    if (!reply.starts_with("+")) return absl::FailedPreconditionError(StrCat("REPLCONF capa: ", reply.substr(1)));
  }
  storage::RocksEngine* rocks = repl_.server().persistence.rocks;
  const uint64_t next = rocks->last_sequence() + 1;
  // A replica that never synced names no history: the primary sends everything.
  std::string history = repl_.history_id();
  if (history == std::string(40, '0')) history = "-";
  const uint64_t keys = repl_.server().keyspace.ApproxKeys();
  if (absl::Status s = Command({"SKVSYNC", history, std::to_string(next), repl_.node_id(), std::to_string(keys)},
                               &reply);
      !s.ok()) {
    return s;
  }
  if (!reply.starts_with("+")) return absl::FailedPreconditionError(StrCat("SKVSYNC: ", reply.substr(1)));
  return absl::OkStatus();
}

absl::Status PrimaryLink::Session() {
  // Memory holds everything on disk here: what an earlier session applied, or what the load read.
  repl_.NoteAppliedToMemory(repl_.server().persistence.rocks->last_sequence());
  if (absl::Status s = Connect(); !s.ok()) return s;
  if (absl::Status s = Handshake(); !s.ok()) return s;
  reader_ = std::make_unique<replication::FrameReader>();
  assembler_ = std::make_unique<replication::BatchAssembler>();
  stream_payload_bytes_ = 0;
  stream_wire_bytes_ = 0;
  reader_->Feed(line_buf_);  // frames that arrived with the handshake's last reply
  line_buf_.clear();
  last_io_ms_ = SteadyMillis();
  int64_t last_ack = 0;
  const int64_t timeout_ms = repl_.server().config.repl_timeout() * 1000;
  while (!stop_.load(std::memory_order_acquire)) {
    replication::pb::Frame frame;
    while (true) {
      const replication::CodecStats before = reader_->stats();
      absl::StatusOr<bool> got = reader_->Next(&frame);
      if (!got.ok()) return got.status();
      if (!*got) break;
      last_io_ms_ = SteadyMillis();
      if (!frame.has_chunk()) {  // SST chunks are compressed already: they would say nothing of the stream
        stream_payload_bytes_ += reader_->stats().payload_bytes - before.payload_bytes;
        stream_wire_bytes_ += reader_->stats().wire_bytes - before.wire_bytes;
      }
      if (absl::Status s = OnFrame(frame); !s.ok()) return s;
      frame.Clear();
    }
    const int64_t now = SteadyMillis();
    if (now - last_ack >= (applied_since_ack_ ? kAckEveryMs : kIdleAckEveryMs)) {
      if (absl::Status s = SendAck(); !s.ok()) return s;
      last_ack = now;
    }
    if (now - last_io_ms_ > timeout_ms) return absl::DeadlineExceededError("repl-timeout: the primary went silent");
    if (absl::StatusOr<bool> read = ReadSome(50); !read.ok()) return read.status();
  }
  return absl::CancelledError("stopped");
}

absl::StatusOr<bool> PrimaryLink::ReadSome(int wait_ms) {
  char buf[64 * 1024];
  absl::StatusOr<size_t> n = socket_.Receive(buf, sizeof(buf), wait_ms);
  if (!n.ok()) return n.status();
  if (*n == 0) return false;
  reader_->Feed(std::string_view(buf, *n));
  return true;
}

absl::Status PrimaryLink::SendAck() {
  const storage::RocksEngine& rocks = *repl_.server().persistence.rocks;
  applied_since_ack_ = false;
  return SendAll(Resp({"REPLCONF", "ACK", std::to_string(rocks.last_sequence()), "FACK",
                       std::to_string(rocks.synced_sequence())}));
}

absl::Status PrimaryLink::OnFrame(replication::pb::Frame& frame) {
  switch (frame.body_case()) {
    case replication::pb::Frame::kWelcome: return OnWelcome(frame.welcome());
    case replication::pb::Frame::kChunk: return OnChunk(frame.chunk());
    case replication::pb::Frame::kBatches: {
      // A batch larger than a frame arrives in pieces; it is applied once whole.
      absl::StatusOr<bool> whole = assembler_->Add(frame.mutable_batches());
      if (!whole.ok()) return whole.status();
      return *whole ? OnBatches(frame.batches()) : absl::OkStatus();
    }
    case replication::pb::Frame::kHeartbeat:
      primary_last_seq_ = frame.heartbeat().last_seq();
      return absl::OkStatus();
    case replication::pb::Frame::kGetack: return SendAck();
    default: return absl::OkStatus();  // a frame a later release added
  }
}

absl::Status PrimaryLink::OnWelcome(const replication::pb::Welcome& welcome) {
  primary_last_seq_ = welcome.primary_last_seq();
  std::vector<replication::HistoryEntry> entries;
  for (const auto& e : welcome.history()) {
    entries.push_back({.id = e.id(), .epoch = e.epoch(), .first_seq = e.first_seq(),
                       .last_seq = e.open() ? replication::kOpenSeq : e.last_seq()});
  }
  if (absl::Status s = repl_.AdoptHistory(replication::HistoryList(std::move(entries))); !s.ok()) return s;
  if (welcome.kind() == replication::pb::Welcome::FULL) {
    syncing_ = true;
    Log(LogLevel::kNotice, StrCat("Full sync from ", host_, ":", port_, " (", welcome.reason(), ")"));
    staging_dir_ = StrCat(repl_.server().config.dir(), "/repl-staging");
    std::error_code ec;
    std::filesystem::remove_all(staging_dir_, ec);
    absl::StatusOr<std::unique_ptr<replication::SnapshotReceiver>> receiver =
        replication::SnapshotReceiver::Create(staging_dir_);
    if (!receiver.ok()) return receiver.status();
    receiver_ = std::move(*receiver);
    return absl::OkStatus();
  }
  if (welcome.kind() != replication::pb::Welcome::CONTINUE) {
    return absl::FailedPreconditionError(StrCat("the primary answered ", welcome.reason()));
  }
  Log(LogLevel::kNotice, StrCat("MASTER <-> REPLICA sync: continuing from sequence ", welcome.start_seq(), " (",
                                welcome.reason(), ")"));
  up_ = true;
  return absl::OkStatus();
}

absl::Status PrimaryLink::OnChunk(const replication::pb::SnapshotChunk& chunk) {
  if (!receiver_) return absl::FailedPreconditionError("a snapshot chunk outside a full sync");
  if (absl::Status s = receiver_->Apply(chunk); !s.ok()) return s;
  if (!receiver_->done()) return absl::OkStatus();
  receiver_.reset();
  return InstallSnapshot();
}

absl::Status PrimaryLink::InstallSnapshot() {
  ServerState& server = repl_.server();
  storage::RocksEngine* rocks = server.persistence.rocks;
  if (absl::Status s = rocks->Reopen(/*readable_memtable=*/true, staging_dir_); !s.ok()) return s;
  repl_.ring()->Reset(rocks->last_sequence() + 1);
  if (absl::Status s = ReloadMemory(server); !s.ok()) return s;
  repl_.NoteAppliedToMemory(rocks->last_sequence());
  syncing_ = false;
  up_ = true;
  Log(LogLevel::kNotice, StrCat("MASTER <-> REPLICA sync: finished with success at sequence ", rocks->last_sequence()));
  return absl::OkStatus();
}

absl::Status PrimaryLink::OnBatches(const replication::pb::Batches& batches) {
  ServerState& server = repl_.server();
  storage::RocksEngine* rocks = server.persistence.rocks;
  const storage::LoadLimits limits = LoadLimitsFrom(server.config);
  uint64_t seq = batches.first_seq();
  for (const std::string& rep : batches.batch()) {
    rocksdb::WriteBatch batch(rep);
    if (absl::Status s = rocks->ApplyReplicated(batch, seq); !s.ok()) return s;
    seq += batch.Count();
    applied_since_ack_ = true;
    storage::ReplicaApplyResult result;
    if (absl::Status s = storage::ApplyBatchToMemory(rocks->db(), batch, server.keyspace, limits, &result);
        !s.ok()) {
      // The batch is on disk and memory has not taken it: memory is rebuilt from the disk, which is the
      // truth, rather than resuming after a batch memory never saw.
      Log(LogLevel::kWarning, StrCat("Replica: batch at sequence ", seq - batch.Count(),
                                     " could not be applied to memory (", s.message(), "); reloading it"));
      if (absl::Status reload = ReloadMemory(server); !reload.ok()) return reload;
      repl_.NoteAppliedToMemory(seq - 1);
      continue;
    }
    NotifyExpired(server, result);
    repl_.NoteAppliedToMemory(seq - 1);
  }
  primary_last_seq_ = std::max<uint64_t>(primary_last_seq_, seq - 1);
  return absl::OkStatus();
}

}  // namespace sessionkv::server
