// SPDX-License-Identifier: Apache-2.0
// Pub/sub: channel and pattern subscriptions of every client, and message fan-out.
//
// Ordering: PUBLISH formats and queues the message for every receiver while holding the hub's lock, and a
// connection writes queued messages in queue order, so every subscriber sees messages in the order the
// PUBLISHes took the lock, whichever I/O threads the publishers and subscribers run on (issue 3).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/strings.h"
#include "server/client_registry.h"
#include "server/client_state.h"

namespace sessionkv::server {

class PubSub {
 public:
  struct Subscriber {
    std::shared_ptr<ClientInfo> info;    // resp version of the receiver
    std::weak_ptr<ClientHandle> handle;  // where messages go
  };

  // Each returns whether the subscription is new for this client.
  bool Subscribe(std::string_view channel, const Subscriber& who);
  bool Unsubscribe(std::string_view channel, uint64_t client_id);
  bool PSubscribe(std::string_view pattern, const Subscriber& who);
  bool PUnsubscribe(std::string_view pattern, uint64_t client_id);

  // Delivers `message` to the channel's subscribers and to every matching pattern subscription; returns
  // the number of deliveries (Redis's PUBLISH reply).
  int64_t Publish(std::string_view channel, std::string_view message);

  // PUBSUB CHANNELS [pattern], NUMSUB, NUMPAT.
  std::vector<std::string> Channels(std::string_view pattern) const;
  int64_t NumSub(std::string_view channel) const;
  int64_t NumPat() const;
  // Channels with at least one subscriber (INFO pubsub_channels).
  size_t NumChannels() const;

 private:
  using Subscribers = absl::flat_hash_map<uint64_t, Subscriber>;
  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, Subscribers, StringViewHash, StringViewEq> channels_;
  absl::flat_hash_map<std::string, Subscribers, StringViewHash, StringViewEq> patterns_;
};

// Drops every subscription of a client (RESET, and a closing connection), without replies.
void UnsubscribeAll(PubSub& pubsub, ClientState& client);

// The push frame of a pub/sub event for a client of protocol `resp`: "message"/"subscribe"/... as an
// array (RESP2) or a push (RESP3) of bulk strings, with an optional trailing integer (subscription count).
std::string FormatPubSubFrame(int resp, std::initializer_list<std::string_view> bulks);

}  // namespace sessionkv::server
