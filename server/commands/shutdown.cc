// SPDX-License-Identifier: Apache-2.0
// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]: the graceful shutdown of server/shutdown.h.
//
// On success the caller gets no reply: its connection is drained and closed like every other, as in
// Redis. ABORT cancels a shutdown that is waiting for replicas; sessionkv has no such wait yet (issue 5),
// so it answers Redis's "No shutdown in progress." exactly as Redis does when nothing is pending.
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/errors.h"

namespace sessionkv::server {
namespace {

void CmdShutdown(CommandContext& ctx) {
  ShutdownRequest request{.origin = "SHUTDOWN"};
  bool save = false, nosave = false, abort = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    const std::string_view arg = ctx.arg(i);
    if (EqualsIgnoreCase(arg, "nosave")) {
      nosave = true;
    } else if (EqualsIgnoreCase(arg, "save")) {
      save = true;
    } else if (EqualsIgnoreCase(arg, "now")) {
      request.now = true;
    } else if (EqualsIgnoreCase(arg, "force")) {
      request.force = true;
    } else if (EqualsIgnoreCase(arg, "abort")) {
      abort = true;
    } else {
      return ctx.Error(kErrSyntax);
    }
  }
  // Redis's illegal combinations: ABORT with any other flag, SAVE with NOSAVE.
  if ((abort && (save || nosave || request.now || request.force)) || (save && nosave)) {
    return ctx.Error(kErrSyntax);
  }
  if (abort) return ctx.Error("ERR No shutdown in progress.");
  // Redis's reply when its shutdown fails; here only an in-process server without an Asio side has no
  // one to ask (tests).
  if (!ctx.server().request_shutdown) return ctx.Error("ERR Errors trying to SHUTDOWN. Check logs.");
  request.save = save ? ShutdownRequest::Save::kSave
                      : (nosave ? ShutdownRequest::Save::kNoSave : ShutdownRequest::Save::kDefault);
  // Nothing after SHUTDOWN in this client's pipeline runs; the drain closes the connection.
  ctx.client().close_after_reply = true;
  ctx.server().request_shutdown(std::move(request));
}

}  // namespace

void RegisterShutdownCommand(CommandTable& table) {
  table.Add({.name = "shutdown", .arity = -1,
             .flags = "admin noscript loading stale no_multi allow_busy", .handler = CmdShutdown,
             .group = "server", .since = "1.0.0",
             .summary = "Synchronously saves the database(s) to disk and shuts down the Redis server."});
}

}  // namespace sessionkv::server
