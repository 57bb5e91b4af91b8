// SPDX-License-Identifier: Apache-2.0
// A replica's link to its primary (server/replication.h): one thread that connects (over TLS with
// tls-replication yes: server/repl_link_socket.h), authenticates (masteruser/masterauth), announces
// `REPLCONF capa zstd` unless repl-compression is none, sends
// `SKVSYNC <history> <next sequence> <node id> <keys>`, and then reads
// the primary's frames: the Welcome, a full sync's snapshot (staged beside the data, then swapped in
// and loaded), and batches (a batch larger than a frame joined from its pieces first), each written
// verbatim into this node's RocksDB and then into memory. It
// acknowledges (REPLCONF ACK <applied> <synced>) every 100 ms while data flows and once a second when
// idle, and reconnects with backoff (1 s doubling to 30 s) after any failure, resuming where it was.
// repl-timeout without a byte from the primary (it sends a heartbeat every second) drops the link.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "replication/batch_frames.h"
#include "replication/frame_codec.h"
#include "replication/repl.pb.h"
#include "server/repl_link_socket.h"
#include "server/replication.h"

namespace sessionkv::replication {
class SnapshotReceiver;
}

namespace sessionkv::server {

class PrimaryLink {
 public:
  PrimaryLink(Replication& replication, std::string host, int port);
  ~PrimaryLink();

  void Start();
  void Stop();
  LinkView View() const;

 private:
  void Run();
  // One connection, from connect to the first failure (returned).
  absl::Status Session();
  // TCP, then TLS when tls-replication is yes.
  absl::Status Connect();
  absl::Status Handshake();
  // Sends a RESP command and reads one reply line ("+OK", "-ERR ..."), for the handshake.
  absl::Status Command(const std::vector<std::string>& args, std::string* reply);
  absl::Status SendAll(const std::string& bytes);
  absl::Status SendAck();
  // Reads what arrived within `wait_ms` into the frame reader; false if nothing did.
  absl::StatusOr<bool> ReadSome(int wait_ms);
  absl::Status OnFrame(replication::pb::Frame& frame);
  absl::Status OnWelcome(const replication::pb::Welcome& welcome);
  absl::Status OnChunk(const replication::pb::SnapshotChunk& chunk);
  absl::Status OnBatches(const replication::pb::Batches& batches);
  // A full sync's staged checkpoint replaces the data: RocksDB reopened on it, memory reloaded.
  absl::Status InstallSnapshot();
  void CloseSocket();

  Replication& repl_;
  std::atomic<bool> stop_{false};  // before socket_, which waits on it
  const std::string host_;
  const int port_;
  LinkSocket socket_{stop_};
  std::string line_buf_;  // handshake bytes read past a reply line
  std::unique_ptr<replication::FrameReader> reader_;
  std::unique_ptr<replication::BatchAssembler> assembler_;
  std::unique_ptr<replication::SnapshotReceiver> receiver_;
  std::string staging_dir_;

  std::atomic<bool> up_{false};
  std::atomic<bool> syncing_{false};
  std::atomic<int64_t> last_io_ms_{0};
  std::atomic<int64_t> down_since_ms_{0};
  std::atomic<uint64_t> primary_last_seq_{0};
  std::atomic<bool> tls_{false};
  std::atomic<replication::Compression> compression_{replication::Compression::kNone};
  // The stream's frames (all but snapshot chunks) as decoded and as received, for INFO.
  std::atomic<uint64_t> stream_payload_bytes_{0}, stream_wire_bytes_{0};
  bool applied_since_ack_ = false;
  std::thread thread_;
};

}  // namespace sessionkv::server
