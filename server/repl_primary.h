// SPDX-License-Identifier: Apache-2.0
// One replica's stream on the primary (server/replication.h): a thread that sends the Welcome, the
// snapshot of a full sync, then every committed batch from the replica's next sequence on, as frames
// (replication/frame_codec.h) delivered to the replica's connection. It reads the batch ring while
// the replica keeps up and the WAL when it is behind; it waits, without a timer, for the next commit
// when it has sent everything, and sends a heartbeat after a second of silence.
//
// A slow replica costs no memory: the thread stops reading while more than kMaxUnwritten bytes wait
// to be written to the socket, and the replica is never disconnected for being slow.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "replication/batch_ring.h"
#include "replication/frame_codec.h"
#include "replication/repl.pb.h"
#include "server/replication.h"

namespace sessionkv::server {

class ReplicaStream {
 public:
  static constexpr uint64_t kMaxUnwritten = 8u << 20;
  static constexpr size_t kFrameBatchBytes = 1u << 20;  // batches grouped per frame while behind

  // `compression` is what the replica announced (REPLCONF capa zstd) or kNone.
  ReplicaStream(Replication& replication, std::shared_ptr<ClientHandle> handle, std::shared_ptr<ClientInfo> info,
                replication::pb::Welcome welcome, int listening_port, replication::Compression compression);
  ~ReplicaStream();

  void Start();
  void Stop();
  void OnAck(uint64_t applied, uint64_t synced);
  uint64_t client_id() const;
  uint64_t acked() const { return acked_.load(std::memory_order_relaxed); }
  uint64_t synced() const { return synced_.load(std::memory_order_relaxed); }
  // Streaming (past the Welcome and any snapshot) and acked at most `max_lag_s` seconds before
  // `now_ms` (steady clock), in whole seconds as Redis counts a good replica.
  bool Good(int64_t now_ms, int64_t max_lag_s) const {
    return online_.load(std::memory_order_relaxed) &&
           (now_ms - last_ack_ms_.load(std::memory_order_relaxed)) / 1000 <= max_lag_s;
  }
  // `now_ms` on the steady clock.
  ReplicaView View(int64_t now_ms) const;

 private:
  void Run();
  // False once the stream must end (stopped, or the connection is gone).
  bool Send(replication::pb::Frame& frame, bool compress = true);
  bool SendWelcome();
  bool WaitForRoom();
  bool SendSnapshot();
  // Sends what follows next_seq_ (ring or WAL); false on an error that ends the stream.
  bool SendBatches(bool* sent_any);
  void Wait(int64_t ms);

  Replication& repl_;
  std::shared_ptr<ClientHandle> handle_;
  std::shared_ptr<ClientInfo> info_;
  replication::pb::Welcome welcome_;
  int listening_port_;
  replication::FrameWriter writer_;
  std::unique_ptr<replication::BatchRing::Reader> reader_;
  uint64_t next_seq_ = 0;

  std::mutex mu_;
  std::condition_variable wake_;
  bool woken_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<bool> online_{false};
  std::atomic<uint64_t> acked_{0}, synced_{0};
  std::atomic<int64_t> last_ack_ms_{0};  // steady clock
  // The stream's frames (all but snapshot chunks) before and after compression, for INFO.
  std::atomic<uint64_t> stream_payload_bytes_{0}, stream_wire_bytes_{0};
  std::thread thread_;
};

}  // namespace sessionkv::server
