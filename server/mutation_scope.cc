// SPDX-License-Identifier: Apache-2.0
#include "server/mutation_scope.h"

namespace sessionkv::server {

namespace {
// One reusable sink per thread keeps its buffers between commands; a scope opened while it is in use
// (not expected: scopes of different clients do not nest on one thread) makes its own.
thread_local storage::MutationSink thread_sink;
thread_local bool thread_sink_busy = false;
}  // namespace

MutationScope::MutationScope(ServerState& server, ClientState& client) : server_(server), client_(client) {
  if (client_.sink != nullptr) return;  // nested: share the outer scope's sink
  owns_ = true;
  storage::MutationSink* sink;
  if (!thread_sink_busy) {
    thread_sink_busy = true;
    sink = &thread_sink;
  } else {
    sink = &own_.emplace();
  }
  sink->set_recording(server_.engine->recording());
  client_.sink = sink;
}

uint64_t MutationScope::Close() {
  storage::MutationSink& sink = *client_.sink;
  if (sink.empty()) {
    sink.Clear();  // annotations without records are dropped with them
    return 0;
  }
  const uint64_t ticket = server_.engine->Append(sink);
  if (ticket != 0) client_.last_ticket = ticket;
  return ticket;
}

MutationScope::~MutationScope() {
  Close();
  if (!owns_) return;
  if (client_.sink == &thread_sink) thread_sink_busy = false;
  client_.sink = nullptr;
}

}  // namespace sessionkv::server
