// SPDX-License-Identifier: Apache-2.0
// Keyspace notifications (notify-keyspace-events): "__keyspace@<db>__:<key>" carries the event name,
// "__keyevent@<db>__:<event>" carries the key, each when its class and K/E are enabled, as Redis does.
#pragma once

#include <cstdint>
#include <string_view>

namespace sessionkv::server {

struct ServerState;

// Publishes `event` on `key` of database `db` if notify-keyspace-events enables class `klass`
// (a NotifyFlag from server/config.h). Cheap when notifications are off: one atomic load.
void NotifyKeyspaceEvent(ServerState& server, uint32_t klass, std::string_view event, std::string_view key,
                         int db);

}  // namespace sessionkv::server
