// SPDX-License-Identifier: Apache-2.0
#include "server/repl_primary.h"

#include <chrono>
#include <filesystem>

#include "base/steady_clock.h"
#include "base/strings.h"
#include "replication/batch_frames.h"
#include "replication/snapshot.h"
#include "replication/wal_reader.h"
#include "server/client_registry.h"
#include "server/config.h"
#include "server/log.h"
#include "server/server_state.h"
#include "storage/checkpoint.h"
#include "storage/rocks_engine.h"

namespace sessionkv::server {

ReplicaStream::ReplicaStream(Replication& replication, std::shared_ptr<ClientHandle> handle,
                             std::shared_ptr<ClientInfo> info, replication::pb::Welcome welcome, int listening_port,
                             replication::Compression compression)
    : repl_(replication),
      handle_(std::move(handle)),
      info_(std::move(info)),
      welcome_(std::move(welcome)),
      listening_port_(listening_port),
      writer_(compression) {
  reader_ = repl_.ring()->NewReader([this] {
    std::lock_guard lock(mu_);
    woken_ = true;
    wake_.notify_one();
  });
  last_ack_ms_ = SteadyMillis();
}

ReplicaStream::~ReplicaStream() { Stop(); }

void ReplicaStream::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ReplicaStream::Stop() {
  stop_.store(true, std::memory_order_release);
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

uint64_t ReplicaStream::client_id() const { return info_->id; }

void ReplicaStream::OnAck(uint64_t applied, uint64_t synced) {
  acked_.store(applied, std::memory_order_relaxed);
  synced_.store(synced, std::memory_order_relaxed);
  last_ack_ms_.store(SteadyMillis(), std::memory_order_relaxed);
}

ReplicaView ReplicaStream::View(int64_t now_ms) const {
  ReplicaView v;
  v.client_id = info_->id;
  v.ip = info_->addr.substr(0, info_->addr.rfind(':'));
  v.port = listening_port_;
  v.state = online_.load(std::memory_order_relaxed) ? "online" : "wait_bgsave";
  v.acked_seq = acked_.load(std::memory_order_relaxed);
  v.synced_seq = synced_.load(std::memory_order_relaxed);
  v.lag_s = std::max<int64_t>(0, (now_ms - last_ack_ms_.load(std::memory_order_relaxed)) / 1000);
  v.stream_payload_bytes = stream_payload_bytes_.load(std::memory_order_relaxed);
  v.stream_wire_bytes = stream_wire_bytes_.load(std::memory_order_relaxed);
  return v;
}

bool ReplicaStream::Send(replication::pb::Frame& frame, bool compress) {
  if (stop_.load(std::memory_order_acquire)) return false;
  std::string bytes;
  const uint64_t payload_before = writer_.stats().payload_bytes;
  if (absl::Status s = writer_.Append(frame, &bytes, compress); !s.ok()) {
    Log(LogLevel::kWarning, StrCat("Replica ", info_->addr, ": cannot frame the stream: ", s.message()));
    return false;
  }
  // SST chunks are compressed already; counted with them the ratio would say more about the data set
  // than about the stream.
  if (!frame.has_chunk()) {
    stream_payload_bytes_.fetch_add(writer_.stats().payload_bytes - payload_before, std::memory_order_relaxed);
    stream_wire_bytes_.fetch_add(bytes.size(), std::memory_order_relaxed);
  }
  handle_->Deliver(std::move(bytes));
  return true;
}

bool ReplicaStream::SendWelcome() {
  replication::pb::Frame frame;
  *frame.mutable_welcome() = welcome_;
  return Send(frame);
}

bool ReplicaStream::WaitForRoom() {
  while (info_->delivered_unwritten.load(std::memory_order_relaxed) > kMaxUnwritten) {
    if (stop_.load(std::memory_order_acquire)) return false;
    Wait(5);
  }
  return !stop_.load(std::memory_order_acquire);
}

void ReplicaStream::Wait(int64_t ms) {
  std::unique_lock lock(mu_);
  wake_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return woken_; });
  woken_ = false;
}

// A full sync: a RocksDB checkpoint (hard links; no fork, no copy in memory), streamed file by file,
// then the batches after the sequence it holds.
bool ReplicaStream::SendSnapshot() {
  storage::RocksEngine* rocks = repl_.server().persistence.rocks;
  const std::string dir = StrCat(repl_.server().config.dir(), "/repl-checkpoint-", info_->id);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  absl::StatusOr<uint64_t> seq = storage::CreateCheckpoint(rocks->db(), dir);
  if (!seq.ok()) {
    Log(LogLevel::kWarning, StrCat("Full sync to ", info_->addr, " failed: checkpoint: ", seq.status().message()));
    return false;
  }
  welcome_.set_snapshot_seq(*seq);
  if (!SendWelcome()) return false;
  absl::StatusOr<std::unique_ptr<replication::SnapshotSender>> sender = replication::SnapshotSender::Open(dir);
  absl::Status opened = sender.ok() ? (*sender)->Start() : sender.status();
  bool ok = opened.ok();
  if (!ok) Log(LogLevel::kWarning, StrCat("Full sync to ", info_->addr, " failed: ", opened.message()));
  int64_t last_log = 0;
  while (ok) {
    replication::pb::Frame frame;
    absl::StatusOr<bool> more = (*sender)->Next(frame.mutable_chunk());
    if (!more.ok()) {
      Log(LogLevel::kWarning, StrCat("Full sync to ", info_->addr, " failed: ", more.status().message()));
      ok = false;
      break;
    }
    if (!*more) break;
    // SST blocks are compressed already: zstd would spend CPU for little.
    ok = WaitForRoom() && Send(frame, replication::ChunkWantsCompression(frame.chunk()));
    if (const int64_t now = SteadyMillis(); now - last_log >= 2000) {
      last_log = now;
      Log(LogLevel::kNotice, StrCat((*sender)->ProgressText(), " to ", info_->addr));
    }
  }
  std::filesystem::remove_all(dir, ec);
  if (!ok) return false;
  Log(LogLevel::kNotice, StrCat("Full sync to ", info_->addr, " sent; streaming from sequence ", *seq + 1));
  next_seq_ = *seq + 1;
  return true;
}

bool ReplicaStream::SendBatches(bool* sent_any) {
  *sent_any = false;
  std::vector<replication::RingBatch> batches;
  absl::StatusOr<replication::ReadResult> read = reader_->Read(next_seq_, kFrameBatchBytes, &batches);
  if (!read.ok()) {
    Log(LogLevel::kWarning, StrCat("Replica ", info_->addr, ": ", read.status().message()));
    return false;
  }
  if (*read == replication::ReadResult::kFellBehind) {
    batches.clear();
    if (absl::Status s = replication::ReadWal(repl_.server().persistence.rocks->db(), next_seq_, kFrameBatchBytes,
                                              &batches);
        !s.ok()) {
      // Retention exceeded while streaming: the replica reconnects and gets a full sync.
      Log(LogLevel::kWarning, StrCat("Replica ", info_->addr, ": ", s.message(), "; closing its stream"));
      return false;
    }
  }
  if (batches.empty()) return true;
  next_seq_ = batches.back().last_seq + 1;
  *sent_any = true;
  // A batch larger than a frame (a 20 MB value, a big MULTI) goes in pieces the replica joins.
  int pieces = 0;
  for (replication::pb::Batches& message : replication::PackBatches(batches, writer_.max_frame_bytes())) {
    if (message.more() || pieces > 0) ++pieces;
    if (!message.more() && pieces > 0) {
      // Rare (a value or a transaction of more than 16 MB) and worth a line when a replica lags after it.
      Log(LogLevel::kNotice, StrCat("Replica ", info_->addr, ": the batch at sequence ", message.first_seq(),
                                    " is larger than a frame; sent in ", pieces, " pieces"));
      pieces = 0;
    }
    replication::pb::Frame frame;
    *frame.mutable_batches() = std::move(message);
    if (!WaitForRoom() || !Send(frame)) return false;
  }
  return true;
}

void ReplicaStream::Run() {
  next_seq_ = welcome_.start_seq();
  if (welcome_.kind() == replication::pb::Welcome::FULL) {
    if (!SendSnapshot()) {
      handle_->Kill();
      return;
    }
  } else if (!SendWelcome()) {
    return;
  }
  online_.store(true, std::memory_order_relaxed);
  int64_t last_send = SteadyMillis();
  while (WaitForRoom()) {
    bool sent = false;
    if (!SendBatches(&sent)) {
      handle_->Kill();
      return;
    }
    const int64_t now = SteadyMillis();
    if (sent) {
      last_send = now;
      continue;
    }
    if (now - last_send >= 1000) {
      // An idle replica learns it is current (lag 0, not "unknown") and samples the clock.
      replication::pb::Frame beat;
      beat.mutable_heartbeat()->set_last_seq(next_seq_ - 1);
      beat.mutable_heartbeat()->set_unix_ms(repl_.server().clock.NowMs());
      if (!Send(beat)) return;
      last_send = now;
    }
    Wait(1000);  // the ring's wake hook ends it at the next commit
  }
}

}  // namespace sessionkv::server
