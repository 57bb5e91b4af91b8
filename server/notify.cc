// SPDX-License-Identifier: Apache-2.0
#include "server/notify.h"

#include "base/strings.h"
#include "server/config.h"
#include "server/server_state.h"

namespace sessionkv::server {

void NotifyKeyspaceEvent(ServerState& server, uint32_t klass, std::string_view event, std::string_view key,
                         int db) {
  if (klass != kNotifyKeyMiss) server.keyspace.TouchWatchedKey(db, key);
  const uint32_t flags = server.config.notify_flags();
  if ((flags & klass) == 0) return;
  if (flags & kNotifyKeyspace) {
    server.pubsub.Publish(StrCat("__keyspace@", db, "__:", key), event);
  }
  if (flags & kNotifyKeyevent) {
    server.pubsub.Publish(StrCat("__keyevent@", db, "__:", event), key);
  }
}

}  // namespace sessionkv::server
