// SPDX-License-Identifier: Apache-2.0
// What /healthz and /readyz answer (server/http_endpoint.h), for Kubernetes probes and DNS-failover
// health checks.
//
// Alive (/healthz): the process answers HTTP. Ready (/readyz): not shutting down, and every
// readiness check registered by a subsystem passes: the persistence engine adds "not loading",
// replication adds, for a replica, "no full sync in progress and the link not down longer than
// repl-timeout" (Replication::NotReadyReason; the lag under readyz-max-replica-lag-ms is issue 5's
// LagTracker). Checks run on the endpoint's thread for every probe, so each must be cheap and must
// never take a shard lock (read an atomic).
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace sessionkv::server {

class Health {
 public:
  // Returns "" while the condition holds, else why the server is not ready ("loading the dataset").
  using Check = std::function<std::string()>;
  void AddReadinessCheck(Check check);

  // The first failing reason, or "" when ready.
  std::string NotReadyReason() const;

  // Set when a shutdown starts: the load balancer should stop sending clients before they are cut.
  void set_shutting_down() { shutting_down_.store(true, std::memory_order_relaxed); }
  bool shutting_down() const { return shutting_down_.load(std::memory_order_relaxed); }

 private:
  mutable std::mutex mu_;  // guards checks_ (registration is rare; probes copy nothing)
  std::vector<Check> checks_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace sessionkv::server
