// SPDX-License-Identifier: Apache-2.0
// The metrics and health endpoint on its own port (metrics-port, default 9121; metrics-bind, default
// bind's addresses):
//
//   GET /metrics  Prometheus text format (server/metrics.h), serialized by prometheus-cpp
//   GET /healthz  200 "ok" while the process serves HTTP (liveness)
//   GET /readyz   200 "ready", or 503 with the reason (loading, shutting down, replica lagging)
//
// civetweb (the HTTP server prometheus-cpp's own Exposer is built on) serves it from its own two
// threads, so a slow scrape never delays a client command and a probe is answered even while both I/O
// threads are busy. Nothing here takes a shard lock.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "server/server_state.h"

class CivetServer;

namespace sessionkv::server {

class HttpEndpoint {
 public:
  explicit HttpEndpoint(ServerState& state);
  ~HttpEndpoint();

  // Binds every metrics address (an address with a leading '-' may be missing, as in bind) and starts
  // serving; a no-op when metrics-port is 0.
  absl::Status Start();
  // The "host:port" strings being served, for the start-up log; empty when disabled.
  const std::vector<std::string>& addresses() const { return addresses_; }

 private:
  class Handler;

  ServerState& state_;
  std::vector<std::string> addresses_;
  std::unique_ptr<Handler> metrics_, healthz_, readyz_;
  std::unique_ptr<CivetServer> server_;
};

// civetweb's listening_ports entries for bind-style addresses: "*" is 0.0.0.0, "::*" is [::], IPv6 in
// brackets; optional ('-') addresses that cannot be bound on this host are left out. Exposed for tests.
absl::Status ListeningPorts(const std::vector<std::string>& bind, int port, std::vector<std::string>* out);

}  // namespace sessionkv::server
