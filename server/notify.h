// SPDX-License-Identifier: Apache-2.0
// Keyspace notifications (notify-keyspace-events): "__keyspace@<db>__:<key>" carries the event name,
// "__keyevent@<db>__:<event>" carries the key, each when its class and K/E are enabled, as Redis does.
#pragma once

#include <cstdint>
#include <string_view>

namespace sessionkv::server {

struct ServerState;

// The "key changed" hook: every command calls it (through CommandContext::Notify) for each change it makes
// to a key, and the expiry path for each expired key, with the key's shard locked. It touches the key's
// WATCHers, whatever notify-keyspace-events says (Redis's signalModifiedKey, which sits next to nearly
// every notifyKeyspaceEvent), then publishes `event` on `key` of database `db` if notify-keyspace-events
// enables class `klass` (a NotifyFlag from server/config.h). A keymiss event is a read and touches nothing.
// Cheap while nobody watches and notifications are off: two atomic loads.
void NotifyKeyspaceEvent(ServerState& server, uint32_t klass, std::string_view event, std::string_view key,
                         int db);

}  // namespace sessionkv::server
