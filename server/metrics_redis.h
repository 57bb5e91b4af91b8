// SPDX-License-Identifier: Apache-2.0
// The server's metrics source (server/metrics.h): redis_exporter's families for everything sessionkv has.
#pragma once

#include <vector>

#include "prometheus/metric_family.h"
#include "server/server_state.h"

namespace sessionkv::server {

// Appends the families to `out`. Reads atomics, the client registry's size and the shards' published
// counts; takes no shard lock.
void CollectRedisMetrics(ServerState& s, std::vector<prometheus::MetricFamily>* out);

}  // namespace sessionkv::server
