// SPDX-License-Identifier: Apache-2.0
#include "server/shutdown.h"

#include "base/strings.h"
#include "server/log.h"

namespace sessionkv::server {

void ShutdownHooks::Add(std::string name, Hook hook) {
  std::lock_guard lock(mu_);
  hooks_.emplace_back(std::move(name), std::move(hook));
}

absl::Status ShutdownHooks::RunAll(const ShutdownRequest& request) const {
  std::vector<std::pair<std::string, Hook>> hooks;
  {
    std::lock_guard lock(mu_);
    hooks = hooks_;
  }
  absl::Status first;
  for (const auto& [name, hook] : hooks) {
    absl::Status status = hook(request);
    if (status.ok()) continue;
    Log(LogLevel::kWarning, StrCat("Error in shutdown step '", name, "': ", FromAbsl(status.message())));
    if (first.ok()) first = std::move(status);
  }
  return first;
}

int FinishShutdown(const ShutdownHooks& hooks, const ShutdownRequest& request) {
  if (absl::Status status = hooks.RunAll(request); !status.ok()) {
    if (!request.force) {
      // Redis keeps running when its final save fails; the clients are gone here, so we exit non-zero
      // instead and the supervisor restarts us (the log on disk still holds every acknowledged write).
      Log(LogLevel::kWarning, "Errors trying to shut down the server. Check the logs for more information.");
      return 1;
    }
    Log(LogLevel::kWarning, "Errors trying to shut down the server, exiting anyway (FORCE).");
  }
  Log(LogLevel::kWarning, "sessionkv is now ready to exit, bye bye...");
  return 0;
}

}  // namespace sessionkv::server
