// SPDX-License-Identifier: Apache-2.0
// A replica's link to its primary (server/replication.h): one thread that connects, authenticates
// (masteruser/masterauth), sends `SKVSYNC <history> <next sequence> <node id> <keys>`, and then reads
// the primary's frames: the Welcome, a full sync's snapshot (staged beside the data, then swapped in
// and loaded), and batches, each written verbatim into this node's RocksDB and then into memory. It
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
#include "replication/frame_codec.h"
#include "replication/repl.pb.h"
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
  absl::Status Connect();
  absl::Status Handshake();
  // Sends a RESP command and reads one reply line ("+OK", "-ERR ..."), for the handshake.
  absl::Status Command(const std::vector<std::string>& args, std::string* reply);
  absl::Status SendAll(const std::string& bytes);
  absl::Status SendAck();
  absl::Status OnFrame(replication::pb::Frame& frame);
  absl::Status OnWelcome(const replication::pb::Welcome& welcome);
  absl::Status OnChunk(const replication::pb::SnapshotChunk& chunk);
  absl::Status OnBatches(const replication::pb::Batches& batches);
  // A full sync's staged checkpoint replaces the data: RocksDB reopened on it, memory reloaded.
  absl::Status InstallSnapshot();
  void CloseSocket();

  Replication& repl_;
  const std::string host_;
  const int port_;
  int fd_ = -1;
  std::string line_buf_;  // handshake bytes read past a reply line
  std::unique_ptr<replication::FrameReader> reader_;
  std::unique_ptr<replication::SnapshotReceiver> receiver_;
  std::string staging_dir_;

  std::atomic<bool> stop_{false};
  std::atomic<bool> up_{false};
  std::atomic<bool> syncing_{false};
  std::atomic<int64_t> last_io_ms_{0};
  std::atomic<int64_t> down_since_ms_{0};
  std::atomic<uint64_t> primary_last_seq_{0};
  bool applied_since_ack_ = false;
  std::thread thread_;
};

}  // namespace sessionkv::server
